import Foundation
import FlowCore

/// On SIGINT or SIGTERM a run ends its transcript with `interrupted` and exits 130, so every
/// event paid for before the signal stays on record.
///
/// The handler kills the running tools, and a killed tool lets the run go on to its end on the
/// main thread, which would print a second result and exit 0 first. So the handler marks the
/// interruption before anything else, and the main path parks (`parkIfInterrupted`) instead of
/// reporting: only the handler's exit happens.
enum Interruption {
    /// Kept alive for the process's life; written once, by `install`, before any signal can come.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let interrupting = Locked(false)
    /// Work that must happen before an interrupted run exits (compacting cassette journals).
    private static let finishing = Locked<[@Sendable () -> Void]>([])

    /// Runs `work` if the run is interrupted, before it exits.
    static func beforeExit(_ work: @escaping @Sendable () -> Void) {
        finishing.withLock { $0.append(work) }
    }

    static func install(writer: TranscriptWriter, json: Bool, transcript: String) {
        onSignal {
            writer.recordInterrupted()
            if json {
                Terminal.out(JSON.object([("status", .string("interrupted")), ("transcript", .string(transcript))]).serialized + "\n")
            } else {
                Terminal.err("\ninterrupted; transcript: \(transcript)\n")
            }
        }
    }

    /// For `flow test`, which keeps no transcript: the run stops at once, saying so.
    static func installForTests() {
        onSignal { Terminal.err("\ninterrupted: the test run stopped before every case finished\n") }
    }

    /// On the first SIGINT or SIGTERM: `report`, then the running tools' process groups are
    /// killed (and anything they started), then exit 130.
    private static func onSignal(_ report: @escaping @Sendable () -> Void) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                guard interrupting.withLock({ already in defer { already = true }; return !already }) else { return }
                report()
                // Running tools (and anything they started) end with the run.
                RunningTools.killAll()
                for work in finishing.current { work() }
                exit(ExitStatus.interrupted)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Blocks for good when an interruption is being handled: its handler is about to exit 130.
    static func parkIfInterrupted() {
        while interrupting.current { sleep(1) }
    }
}
