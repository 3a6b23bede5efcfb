import Foundation

/// What every worker of a test run shares about a provider's health:
/// - a backoff: when a request is told to wait (429 with `retry-after`), every worker holds its
///   next request until then, instead of each one hammering the provider on its own schedule;
///   a 429 that names no wait slows only the worker that met it;
/// - a circuit breaker: after `threshold` connection refusals in a row (across cases), the
///   server is taken to be down and every later request fails at once with one message,
///   instead of each remaining case retrying against a dead port.
public actor RateGate {
    private var pausedUntil: ContinuousClock.Instant?
    private var refusals = 0
    private var open: ProviderError?
    /// Refused connections in a row that open the breaker.
    public let threshold: Int

    /// A gate whose breaker opens after `threshold` refusals in a row.
    public init(threshold: Int = 5) { self.threshold = threshold }

    /// Admits the next request: throws the breaker's error when it is open, waits while the
    /// gate is paused; a cancelled task stops waiting and throws.
    public func wait() async throws(ProviderError) {
        if let open { throw open }
        while let until = pausedUntil, until > .now {
            do {
                try await Task.sleep(until: until, clock: .continuous)
            } catch {
                throw ProviderError(.network, "cancelled while waiting out a rate limit")
            }
        }
    }

    /// Pauses every worker for `seconds` (extending a longer pause, never shortening it).
    public func pause(_ seconds: Double) {
        guard seconds.isFinite, seconds > 0 else { return }
        let until = ContinuousClock.now + .milliseconds(Int(min(seconds, 86_400) * 1000))
        if let current = pausedUntil, current > until { return }
        pausedUntil = until
    }

    /// Whether workers are being held now.
    public var isPaused: Bool { pausedUntil.map { $0 > .now } ?? false }

    /// A request got an answer: the server is reachable again.
    public func reached() { refusals = 0 }

    /// A connection was refused. Returns the error every later request fails with once the
    /// breaker opens; nil while it stays closed.
    public func unreachable() -> ProviderError? {
        refusals += 1
        if refusals >= threshold, open == nil {
            open = ProviderError(.network, "the provider refused \(threshold) connections in a row: it looks down, so the remaining "
                                 + "requests fail at once instead of retrying (circuit breaker open); check the base URL and the server")
        }
        return open
    }

    /// The breaker's error when it is open.
    public func openCircuit() -> ProviderError? { open }
}

/// Sleeps that cannot crash on a strange duration and stop when their task is cancelled.
enum Pause {
    static func seconds(_ seconds: Double) async throws(ProviderError) {
        guard seconds.isFinite, seconds > 0 else { return }
        do {
            try await Task.sleep(nanoseconds: UInt64(min(seconds, 86_400) * 1_000_000_000))
        } catch {
            throw ProviderError(.network, "cancelled while waiting to retry")
        }
    }
}
