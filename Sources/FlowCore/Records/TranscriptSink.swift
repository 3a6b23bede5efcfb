import Foundation
import FlowSource

/// The kinds of transcript event (docs/transcript.md), one case each, so a misspelled type is a
/// compile error rather than an event no reader understands.
public enum EventType: String, Sendable, CaseIterable {
    /// The type of a recorded event, read back; nil for a type this version does not write.
    public init?(of event: JSON) {
        guard let name = event["type"]?.string else { return nil }
        self.init(rawValue: name)
    }

    case runStart = "run_start", stepStart = "step_start", request, response, retry, branch, input
    case toolCall = "tool_call", toolResult = "tool_result", contextTrim = "context_trim", warning, error
    case runEnd = "run_end", rateLimitWait = "rate_limit_wait", mapStart = "map_start", mapEnd = "map_end"
    case callStart = "call_start", callEnd = "call_end"
}

/// Where a run's events go. The writer adds the sequence number and time offset.
public protocol TranscriptSink: Sendable {
    /// Records one event of `type` with its fields, in order. Must not throw: a record that
    /// cannot be written is reported once, and the run goes on.
    func record(_ type: EventType, _ fields: [(String, JSON)])
    /// False for a sink that keeps nothing, so callers can skip building events.
    var isRecording: Bool { get }
}

extension TranscriptSink {
    /// True: a sink keeps what it is given.
    public var isRecording: Bool { true }
}

/// Appends events as JSON Lines to a file, one `write(2)` per event, so an interrupted run
/// leaves every event written before it stopped.
public final class TranscriptWriter: TranscriptSink, Sendable {
    /// The transcript file.
    public let path: String
    private let descriptor: Int32
    private let start = ContinuousClock.now

    /// What the writer keeps between events, behind one lock: writes come from any task.
    private struct State {
        var sequence = 0
        /// Running totals from the response events, for a run_end written on interrupt.
        var calls = 0
        var inputTokens = 0
        var outputTokens = 0
        var cost: Double? = 0
        var ended = false
        var failure: String?
        var onFailure: (@Sendable (String) -> Void)?
    }

    private let state = Locked(State())

    /// The first failed write (a full disk, a removed directory): the record is incomplete.
    public var failure: String? { state.current.failure }

    /// Told once, at the first failed write, so the run can say so as it happens.
    public var onFailure: (@Sendable (String) -> Void)? {
        get { state.current.onFailure }
        set { state.withLock { $0.onFailure = newValue } }
    }

    /// Creates the file (and its directory) with owner-only permissions.
    public init(path: String) throws {
        self.path = path
        let directory = PathText.directory(of: path)
        if !directory.isEmpty, access(directory, F_OK) != 0 {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        // open(2) with the mode, not FileManager.createFile: that writes through a temporary file
        // and sets attributes afterwards, a millisecond of every run's start-up.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path,
                                                                NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(errno))])
        }
        self.descriptor = descriptor
    }

    /// A writer on a new file `<directory>/<UTC timestamp>-<name>[-N].jsonl`, the name taken with
    /// O_EXCL: runs starting in the same millisecond (a server's) each get their own file,
    /// where checking then creating would let two share one and lose a record.
    public static func new(in directory: String, name: String, now: Date = Date()) throws -> TranscriptWriter {
        if access(directory, F_OK) != 0 { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let safeName = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        let base = "\(directory)/\(UTCTime.compact(now))-\(safeName)"
        for counter in 1...10_000 {
            let path = counter == 1 ? base + ".jsonl" : "\(base)-\(counter).jsonl"
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if descriptor >= 0 { return TranscriptWriter(path: path, descriptor: descriptor) }
            guard errno == EEXIST else { break }
        }
        throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: base + ".jsonl",
                                                            NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(errno))])
    }

    /// Writes to an open descriptor, which it then owns (a device that fails every write, in tests).
    init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Appends one event, unless the run has ended.
    public func record(_ type: EventType, _ fields: [(String, JSON)]) {
        state.withLock { state in
            // After run_end (an interruption's included) the record is closed.
            guard !state.ended else { return }
            write(type, fields, &state)
        }
    }

    /// Ends the transcript of a run stopped by a signal: a `run_end` with status `interrupted`
    /// and the totals of the answers received so far. Does nothing if the run already ended.
    public func recordInterrupted() {
        state.withLock { state in
            guard !state.ended else { return }
            write(.runEnd, [("status", .string("interrupted")),  // RunResult.Status.interrupted
                            ("totals", .object([("calls", .int(state.calls)), ("input_tokens", .int(state.inputTokens)),
                                                ("output_tokens", .int(state.outputTokens)),
                                                ("cost_usd", state.cost.map(JSON.double) ?? .null)]))], &state)
        }
    }

    /// Writes one line; called under the lock.
    private func write(_ type: EventType, _ fields: [(String, JSON)], _ state: inout State) {
        if type == .response {
            let response = JSON.object(fields)
            state.calls += 1
            state.inputTokens = TokenCount.add(state.inputTokens, response["usage"]?["input_tokens"]?.int ?? 0)
            state.outputTokens = TokenCount.add(state.outputTokens, response["usage"]?["output_tokens"]?.int ?? 0)
            if let previous = state.cost, let more = response["cost_usd"]?.double { state.cost = previous + more } else { state.cost = nil }
        }
        if type == .runEnd { state.ended = true }
        state.sequence += 1
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let event = JSON.object([("seq", .int(state.sequence)), ("t", .double((seconds * 1000).rounded() / 1000)),
                                 ("type", .string(type.rawValue))] + fields)
        // Secrets a provider echoed (in an error message, in a body) never reach the file.
        let line = Redaction.text(event.serialized) + "\n"
        if let code = FileBytes.write(line, to: descriptor), state.failure == nil {
            // The system's words: "No space left on device".
            let failure = "the transcript '\(path)' could not be written (\(String(cString: strerror(code)))); its record of the run is incomplete"
            state.failure = failure
            state.onFailure?(failure)
        }
    }

    /// A new transcript path: `<directory>/<UTC timestamp>-<name>.jsonl`, unique within the directory.
    public static func newPath(in directory: String, name: String, now: Date = Date()) -> String {
        unique(in: directory, name: name, ending: ".jsonl", now: now)
    }

    /// A new folder path for a run's several transcripts (a live `flow test`):
    /// `<directory>/<UTC timestamp>-<name>`, unique within the directory, not yet made.
    public static func newFolder(in directory: String, name: String, now: Date = Date()) -> String {
        unique(in: directory, name: name, ending: "", now: now)
    }

    private static func unique(in directory: String, name: String, ending: String, now: Date) -> String {
        let safeName = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        let base = "\(directory)/\(UTCTime.compact(now))-\(safeName)"
        var path = base + ending
        var counter = 2
        while access(path, F_OK) == 0 {
            path = "\(base)-\(counter)\(ending)"
            counter += 1
        }
        return path
    }
}

/// Keeps events in memory: the test double beside the real writer.
public final class InMemoryTranscript: TranscriptSink, Sendable {
    private let stored = Locked<[JSON]>([])

    /// An empty record.
    public init() {}

    /// The events so far, numbered from 1.
    public var events: [JSON] { stored.current }

    /// Keeps one event.
    public func record(_ type: EventType, _ fields: [(String, JSON)]) {
        stored.withLock { $0.append(.object([("seq", .int($0.count + 1)), ("type", .string(type.rawValue))] + fields)) }
    }
}

/// Every event to each of several sinks: a test case's trace in memory and its transcript on disk.
public struct TeeTranscript: TranscriptSink {
    let sinks: [any TranscriptSink]

    /// Records to each of `sinks`, in order.
    public init(_ sinks: [any TranscriptSink]) { self.sinks = sinks }

    public func record(_ type: EventType, _ fields: [(String, JSON)]) {
        for sink in sinks where sink.isRecording { sink.record(type, fields) }
    }

    public var isRecording: Bool { sinks.contains { $0.isRecording } }
}
