import Foundation

/// Backoff shared by every worker of a test run: when any request is told to wait (429 with
/// retry-after), every worker holds its next request until then, instead of each one hammering
/// the provider on its own schedule.
public actor RateGate {
    private var pausedUntil: ContinuousClock.Instant?

    public init() {}

    /// Waits while the gate is paused.
    public func wait() async {
        while let until = pausedUntil, until > .now {
            try? await Task.sleep(until: until, clock: .continuous)
        }
    }

    /// Pauses every worker for `seconds` (extending a longer pause, never shortening it).
    public func pause(_ seconds: Double) {
        let until = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        if let current = pausedUntil, current > until { return }
        pausedUntil = until
    }
}
