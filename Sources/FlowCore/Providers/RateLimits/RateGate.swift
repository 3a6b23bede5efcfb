import Foundation

/// What every worker of a run shares about one provider endpoint (a provider at a base URL):
/// - pacing: a `Pacer` decides when each request may start, from the limits the project
///   declares, the limits the provider's headers state, the `retry-after` of a 429, and an
///   AIMD concurrency allowance, so a rate-limited suite runs at the provider's pace instead of
///   failing on 429s;
/// - a circuit breaker: after `threshold` connection refusals in a row (across cases), the
///   server is taken to be down and every later request fails at once with one message,
///   instead of each remaining case retrying against a dead port.
public actor RateGate {
    /// What a request met, reported when it is over so the gate can learn and free its slot.
    public enum Outcome: Sendable {
        /// An answer, with its response headers.
        case answered([String: String])
        /// A 429 the provider may lift (not `insufficient_quota`), with its headers and message
        /// (which says which limit refused it).
        case limited(retryAfter: Double?, headers: [String: String], message: String = "")
        /// Anything else.
        case failed
    }

    private var pacer: Pacer
    private var inFlight = 0
    private var waitingForSlot: [CheckedContinuation<Void, Never>] = []
    private var refusals = 0
    private var open: ProviderError?
    private let origin = ContinuousClock.now
    /// Refused connections in a row that open the breaker.
    public let threshold: Int
    /// Counts for the progress line and the report, readable without waiting on the actor.
    public nonisolated let stats = Locked(RateStats())

    /// A gate for at most `ceiling` requests at once (`-j`), with the endpoint's and each
    /// model's declared limits; its breaker opens after `threshold` refusals in a row.
    public init(threshold: Int = 5, ceiling: Int = 256, declared: DeclaredLimits? = nil, models: [String: DeclaredLimits] = [:]) {
        self.threshold = threshold
        pacer = Pacer(ceiling: ceiling, endpoint: declared, models: models)
    }

    private var now: Double { seconds(ContinuousClock.now - origin) }

    /// Admits one request of about `tokens` input tokens, with at most `outputTokens` of answer,
    /// to `model`: throws the breaker's error when it is open, else waits for a slot and for the
    /// pace, and returns the seconds it waited. Every admission must be followed by one
    /// `settle`. A cancelled task stops waiting and throws.
    /// `onHold` hears of a wait for the pace or a pause of `RateWait.announced` seconds or more
    /// before it begins.
    public func admit(model: String, tokens: Int, outputTokens: Int = 0,
                      onHold: (@Sendable (Double) -> Void)? = nil) async throws(ProviderError) -> Admission {
        if let open { throw open }
        let started = now
        stats.withLock { $0.holding += 1 }
        defer { stats.withLock { $0.holding -= 1 } }
        if inFlight < pacer.concurrency {
            inFlight += 1
        } else {
            // The releasing request hands its slot over (see wake), so no one overtakes.
            await withCheckedContinuation { waitingForSlot.append($0) }
        }
        do throws(ProviderError) {
            var start = pacer.reserve(model: model, tokens: Double(tokens), outputTokens: Double(outputTokens), now: now)
            if start - now >= RateWait.announced { onHold?(start - now) }
            while case let left = start - now, left > 0 {
                try await Self.sleep(left)
                // A retry-after may have come in meanwhile.
                start = max(start, pacer.pausedUntil)
            }
            if let open { throw open }
        } catch {
            release()
            throw error
        }
        let sent = now
        let waited = sent - started
        stats.withLock { stats in
            stats.requests += 1
            if waited >= 0.001 {
                stats.waits += 1
                stats.waitedSeconds += waited
            }
        }
        return Admission(waited: waited, sent: sent)
    }

    /// A request let through: how long it waited, and when it went (for its latency).
    public struct Admission: Sendable {
        /// Seconds it waited for a slot, the pace or a pause.
        public var waited: Double
        /// When it was let through, on the gate's clock.
        var sent: Double
    }

    /// Ends an admitted request: learns from its outcome and passes its slot on.
    public func settle(_ admission: Admission, _ outcome: Outcome, model: String) {
        switch outcome {
        case .answered(let headers):
            refusals = 0
            pacer.answered(RateLimitReading.read(headers, now: Date()), model: model, othersInFlight: inFlight - 1,
                           latency: now - admission.sent, now: now)
        case .limited(let retryAfter, let headers, let message):
            refusals = 0
            stats.withLock { $0.limited += 1 }
            pacer.limited(retryAfter: retryAfter, reading: RateLimitReading.read(headers, now: Date()),
                          exhausted: RateLimitReading.exhausted(message), model: model, now: now)
        case .failed:
            break
        }
        release()
    }

    private func release() {
        inFlight -= 1
        while inFlight < pacer.concurrency, !waitingForSlot.isEmpty {
            inFlight += 1
            waitingForSlot.removeFirst().resume()
        }
    }

    /// Requests allowed in flight now (the AIMD allowance).
    public var concurrency: Int { pacer.concurrency }

    /// Whether workers are being held for a `retry-after` now.
    public var isPaused: Bool { pacer.pausedUntil > now }

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

    private static func sleep(_ seconds: Double) async throws(ProviderError) {
        guard seconds.isFinite, seconds > 0 else { return }
        do {
            try await Task.sleep(nanoseconds: UInt64(min(seconds, 86_400) * 1_000_000_000))
        } catch {
            throw ProviderError(.network, "cancelled while waiting out a rate limit")
        }
    }

    private nonisolated func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// How a run met the providers' rate limits, summed over every endpoint.
public struct RateStats: Sendable, Equatable {
    /// Requests admitted.
    public var requests = 0
    /// Answers that were 429s the provider may lift.
    public var limited = 0
    /// Admissions that had to wait (for a slot, the pace or a retry-after).
    public var waits = 0
    /// Seconds spent waiting, summed over requests.
    public var waitedSeconds = 0.0
    /// Requests waiting right now.
    public var holding = 0

    /// An empty count.
    public init() {}

    /// The sum of two counts.
    public static func + (a: RateStats, b: RateStats) -> RateStats {
        var sum = a
        sum.requests += b.requests
        sum.limited += b.limited
        sum.waits += b.waits
        sum.waitedSeconds += b.waitedSeconds
        sum.holding += b.holding
        return sum
    }
}

/// The gates of a run, one per provider endpoint (provider name and base URL), created on first
/// use with the limits the project declares for that provider.
public final class RateGates: Sendable {
    private let gates = Locked<[String: RateGate]>([:])
    /// Requests at once at most (`-j`).
    public let ceiling: Int
    /// Declared limits by `provider` or `provider/model`.
    public let declared: [String: DeclaredLimits]

    /// Gates allowing `ceiling` requests at once, with the config's `rate_limits:`.
    public init(ceiling: Int = 256, declared: [String: DeclaredLimits] = [:]) {
        self.ceiling = ceiling
        self.declared = declared
    }

    /// The gate of `provider` at `baseURL`.
    public func gate(provider name: ProviderName, baseURL: String) -> RateGate {
        // Declared limits are keyed by the words of flow.config.yaml (`openai`, `openai/gpt-4o`).
        let provider = name.rawValue
        return gates.withLock { gates in
            if let gate = gates[provider + " " + baseURL] { return gate }
            var models: [String: DeclaredLimits] = [:]
            for (key, limits) in declared where key.hasPrefix(provider + "/") { models[String(key.dropFirst(provider.count + 1))] = limits }
            let gate = RateGate(ceiling: ceiling, declared: declared[provider], models: models)
            gates[provider + " " + baseURL] = gate
            return gate
        }
    }

    /// The counts of every gate, summed.
    public var stats: RateStats {
        gates.withLock { gates in gates.values.reduce(RateStats()) { $0 + $1.stats.current } }
    }
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
