import Foundation
import FlowCore

/// A request limit enforced the way OpenAI documents it: a token bucket of `capacity` requests
/// refilled at `perSecond`, a 429 with `retry-after-ms`, `retry-after` and the
/// `x-ratelimit-*` headers when it is empty, and the same headers on every answer
/// (`x-ratelimit-reset-requests` is the time until the bucket is full again). For the stub
/// server's handler, in tests and in `make bench`.
public final class TokenBucketLimit: Sendable {
    /// What the limit decided for one request.
    public struct Decision: Sendable {
        /// Whether the request may be answered.
        public var allowed: Bool
        /// The headers to send with the answer or the 429.
        public var headers: [(String, String)]
    }

    private struct Bucket {
        var level: Double
        var at: Double
        var answered = 0
        var refused = 0
    }

    /// What the server tells its clients, from everything OpenAI sends down to a bare 429
    /// (as some OpenAI-compatible servers and proxies answer).
    public enum Signals: Sendable {
        /// `x-ratelimit-*` on every answer, `retry-after(-ms)` on a 429.
        case openAI
        /// Only `retry-after(-ms)` on a 429.
        case retryAfterOnly
        /// A 429 and nothing else.
        case bare
    }

    /// Requests refilled per second.
    public let perSecond: Double
    /// What the server tells its clients.
    public let signals: Signals
    /// Requests the bucket holds.
    public let capacity: Double
    private let bucket: Locked<Bucket>
    private let origin = ContinuousClock.now

    /// A full bucket of `capacity` requests refilled at `perSecond`.
    public init(perSecond: Double, capacity: Double? = nil, signals: Signals = .openAI) {
        self.perSecond = perSecond
        self.signals = signals
        self.capacity = capacity ?? perSecond
        bucket = Locked(Bucket(level: capacity ?? perSecond, at: 0))
    }

    /// Requests answered and refused so far.
    public var counts: (answered: Int, refused: Int) { bucket.withLock { ($0.answered, $0.refused) } }

    /// Takes one request from the bucket, or refuses it.
    public func take() -> Decision {
        let elapsed = ContinuousClock.now - origin
        let now = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return bucket.withLock { bucket in
            bucket.level = min(capacity, bucket.level + (now - bucket.at) * perSecond)
            bucket.at = now
            let allowed = bucket.level >= 1
            if allowed {
                bucket.level -= 1
                bucket.answered += 1
            } else {
                bucket.refused += 1
            }
            var headers: [(String, String)] = signals != .openAI ? [] : [
                ("x-ratelimit-limit-requests", String(Int(capacity))),
                ("x-ratelimit-remaining-requests", String(Int(bucket.level.rounded(.down)))),
                ("x-ratelimit-reset-requests", Self.duration((capacity - bucket.level) / perSecond)),
                ("x-ratelimit-limit-tokens", "10000000"), ("x-ratelimit-remaining-tokens", "9999990"),
                ("x-ratelimit-reset-tokens", "0s"),
            ]
            if !allowed, signals != .bare {
                let wait = (1 - bucket.level) / perSecond
                headers += [("retry-after-ms", String(Int((wait * 1000).rounded(.up)))), ("retry-after", String(Int(wait.rounded(.up))))]
            }
            return Decision(allowed: allowed, headers: headers)
        }
    }

    /// A duration in OpenAI's spelling: `20ms` under a second, `1.5s` under a minute, `6m0s` above.
    public static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 { return String(format: "%.3gs", seconds) }
        return "\(Int(seconds) / 60)m\(Int(seconds) % 60)s"
    }

    /// A stub handler answering `content` after `latency` seconds, within the limit.
    public func handler(latency: Double, content: String = "fine") -> StubServer.Handler {
        { _ in
            let decision = self.take()
            guard decision.allowed else {
                return StubServer.Response(status: 429, headers: [("Content-Type", "application/json")] + decision.headers,
                                           body: OpenAIWire.error(message: "Rate limit reached for requests", type: "requests",
                                                                  code: "rate_limit_exceeded"))
            }
            return StubServer.Response(headers: [("Content-Type", "application/json")] + decision.headers,
                                       body: OpenAIWire.completion(content: content), delay: latency)
        }
    }
}
