import Foundation
import FlowCore

/// On SIGINT or SIGTERM a run ends its transcript with `interrupted` and exits 130, so every
/// event paid for before the signal stays on record.
enum Interruption {
    /// Kept alive for the process's life; written once, by `install`, before any signal can come.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install(writer: TranscriptWriter, json: Bool, transcript: String) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                // Running tools (and anything they started) end with the run.
                RunningTools.killAll()
                writer.recordInterrupted()
                if json {
                    Terminal.out(JSON.object([("status", .string("interrupted")), ("transcript", .string(transcript))]).serialized + "\n")
                } else {
                    Terminal.err("\ninterrupted; transcript: \(transcript)\n")
                }
                exit(ExitStatus.interrupted)
            }
            source.resume()
            sources.append(source)
        }
    }
}
