import Foundation
import FlowCore

/// On SIGINT or SIGTERM a run ends its transcript with `interrupted` and exits 130, so every
/// event paid for before the signal stays on record.
///
/// `watch` blocks both signals before the command starts any thread (so every thread, URLSession's
/// and curl's too, inherits the mask) and starts one thread that waits for them with `sigwait`.
/// Until a command installs its handler, a signal ends the process as it would with no handler
/// at all. Dispatch signal sources did this before, at the price of Dispatch's manager thread
/// and its event loop in every run (docs/performance.md). Tools start with an empty mask and
/// default dispositions (ProcessToolRunner), so they still see the user's Ctrl-C; git, started
/// through Foundation's Process, inherits the blocked signals as it inherited the ignored ones
/// before, and finishes its short command after flow has gone.
///
/// The handler kills the running tools, and a killed tool lets the run go on to its end on the
/// main thread, which would print a second result and exit 0 first. So the handler marks the
/// interruption before anything else, and the main path parks (`parkIfInterrupted`) instead of
/// reporting: only the handler's exit happens.
enum Interruption {
    private static let interrupting = Locked(false)
    /// What the command says when interrupted; nil until it installs one.
    private static let report = Locked<(@Sendable () -> Void)?>(nil)
    /// Work that must happen before an interrupted run exits (compacting cassette journals).
    private static let finishing = Locked<[@Sendable () -> Void]>([])

    /// Runs `work` if the run is interrupted, before it exits.
    static func beforeExit(_ work: @escaping @Sendable () -> Void) {
        finishing.withLock { $0.append(work) }
    }

    static func install(writer: TranscriptWriter, json: Bool, transcript: String) {
        report.withLock {
            $0 = {
                writer.recordInterrupted()
                if json {
                    Terminal.out(JSON.object([("status", .string("interrupted")), ("transcript", .string(transcript))]).serialized + "\n")
                } else {
                    Terminal.err("\ninterrupted; transcript: \(transcript)\n")
                }
            }
        }
    }

    /// What a server does on SIGINT or SIGTERM instead of exiting: stop taking work and finish
    /// what it took. A second signal exits at once.
    private static let graceful = Locked<(@Sendable (Int32) -> Void)?>(nil)

    static func installGraceful(_ drain: @escaping @Sendable (Int32) -> Void) {
        graceful.withLock { $0 = drain }
    }

    /// For `flow test`, which keeps no transcript: the run stops at once, saying so.
    static func installForTests() {
        report.withLock { $0 = { Terminal.err("\ninterrupted: the test run stopped before every case finished\n") } }
    }

    /// Blocks SIGINT and SIGTERM in this thread and every thread it starts from now on, and
    /// starts the thread that waits for them. Called once, on the main thread, before an
    /// async command starts.
    static func watch() {
        var signals = watched
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { _ in
            var signals = Interruption.watched
            var received: Int32 = 0
            while sigwait(&signals, &received) != 0 {}
            // A server drains on the first signal (its runs in flight finish); a second one ends it now.
            if let drain = Interruption.graceful.current {
                drain(received)
                while sigwait(&signals, &received) != 0 {}
                exit(ExitStatus.interrupted)
            }
            Interruption.handle(received)
        }, nil)
        // Without the thread, signals end the process as they did before `watch`.
        if started != 0 { pthread_sigmask(SIG_UNBLOCK, &signals, nil) }
    }

    private static let watched: sigset_t = {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        return signals
    }()

    /// On the first SIGINT or SIGTERM: the command's report, then the running tools' process
    /// groups are killed (and anything they started), then exit 130. Before a command installed
    /// its report, the signal's default action: the process ends by that signal.
    private static func handle(_ received: Int32) -> Never {
        guard let report = report.current else {
            signal(received, SIG_DFL)
            var signals = watched
            pthread_sigmask(SIG_UNBLOCK, &signals, nil)
            raise(received)
            exit(128 + received)  // not reached: the default action ends the process
        }
        interrupting.withLock { $0 = true }
        report()
        // Running tools (and anything they started) end with the run.
        RunningTools.killAll()
        for work in finishing.current { work() }
        exit(ExitStatus.interrupted)
    }

    /// Blocks for good when an interruption is being handled: its handler is about to exit 130.
    static func parkIfInterrupted() {
        while interrupting.current { sleep(1) }
    }
}
