import Foundation
import FlowCore

/// A rate-limit wait shown on the terminal while it lasts, so a run held for half a minute does
/// not look hung: on a terminal, one line rewritten each second with the seconds left; in a log
/// (stderr not a terminal, or CI), the one line it always was.
enum Countdown {
    /// Says `line`; on a terminal, for a wait of `RateWait.announced` seconds or more, first
    /// `counting(secondsLeft)` rewritten once a second until the wait is over. Returns at once:
    /// the wait itself happens elsewhere.
    static func show(seconds: Double, line: String, counting: @escaping @Sendable (Int) -> String) {
        let whole = Int(seconds.rounded(.up))
        guard seconds >= RateWait.announced, Self.live else { return Terminal.err(line + "\n") }
        // A thread of its own: the main thread runs the workflow, and a wait there (the pace,
        // a retry-after) must not stop the count it is showing.
        Thread.detachNewThread {
            let started = Date()
            var left = whole
            while left > 0 {
                Terminal.err("\r\u{1B}[K" + counting(left))
                let next = started.addingTimeInterval(Double(whole - left + 1))
                Thread.sleep(until: next)
                left = whole - Int(Date().timeIntervalSince(started).rounded(.down))
            }
            Terminal.err("\r\u{1B}[K" + line + "\n")
        }
    }

    /// Whether stderr is a terminal a count can be rewritten on.
    static let live = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["CI"] == nil
        && ProcessInfo.processInfo.environment["TERM"] != "dumb"
}
