import Foundation
import FlowCore

/// Where a run's answers come from or go: a cassette file, as `flow test` and `flow run
/// --replay/--record` use them, so an app can ship a recorded workflow and run it offline.
public struct FlowCassette: Sendable {
    public enum Mode: String, Sendable {
        /// Answers come from the file; a request it does not hold fails the run.
        case replay
        /// Requests go to the providers and their answers are written to the file.
        case record
    }

    let use: CassetteUse

    /// The cassette at `path` (flow's is `.<workflow>.cassette.json` beside the workflow).
    public static func file(_ path: String, mode: Mode) throws(FlowError) -> FlowCassette {
        do {
            let store = try CassetteStore.open(path)
            return FlowCassette(use: CassetteUse(store: store, mode: mode == .replay ? .replay : .record, recordCommand: "record it with FlowCassette.file(_:mode: .record)"))
        } catch let error as CassetteError {
            throw FlowError(kind: .invalid, message: error.message)
        } catch {
            throw FlowError(kind: .invalid, message: "\(path): \(error)")
        }
    }

    /// The cassette `flow test` keeps for `workflow`.
    public static func beside(_ workflow: FlowWorkflow, mode: Mode) throws(FlowError) -> FlowCassette {
        try file((workflow.path.hasSuffix(".yaml") ? String(workflow.path.dropLast(5)) : workflow.path) + ".cassette.json", mode: mode)
    }

    /// Writes what a recording run added; replay needs nothing.
    public func save() throws(FlowError) {
        do { try use.store.finish() } catch { throw FlowError(kind: .run, message: "\(error)") }
    }
}

/// Where each run's events go (run_start, each request and answer, tool calls, run_end), with
/// API keys redacted as in every flow record.
public protocol FlowTranscriptSink: Sendable {
    /// One event: its type (`run_start`, `request`, `response`, `step_end`, …) and its fields in order.
    func record(event: String, fields: [(String, FlowValue)])
}

/// The sinks flow has: a JSON Lines file per run, as `flow run` writes it; or nothing.
public enum FlowTranscript: Sendable {
    /// `DIRECTORY/<time>-<workflow>.jsonl`, one file per run.
    case directory(String)
    /// Keep no record.
    case none
    /// The app's own sink.
    case custom(any FlowTranscriptSink)
}

/// An app's sink as the interpreter's.
struct SinkBridge: TranscriptSink {
    let inner: any FlowTranscriptSink
    func record(_ type: EventType, _ fields: [(String, JSON)]) {
        inner.record(event: type.rawValue, fields: fields.map { ($0.0, FlowValue($0.1.redacted)) })
    }
}
