import Foundation
import FlowCore

/// A provider's rate limit as OpenAI and Anthropic document it, for the stub server's handler
/// in tests and in `make bench`, written from their documentation rather than from what flow
/// expects:
///
/// - limits are per minute and may be *quantized*: OpenAI's 3,000 requests a minute can be
///   enforced as 50 a second, so the enforcing bucket holds one second's share (`capacity`,
///   by default `perSecond`) while the headers describe the whole minute
///   (`x-ratelimit-limit-requests: 3000`, what is left of the minute, and the time until it is
///   whole again);
/// - refused requests count against the limit when `countsRefusals` (OpenAI: "unsuccessful
///   requests contribute to your per-minute limit"), so a client that keeps retrying starves;
/// - tokens, when `tokensPerMinute` is set, are counted as OpenAI estimates them for its
///   limiter: the prompt's characters / 4 plus `max_tokens`; Anthropic counts input tokens and
///   output tokens in buckets of their own, the output at `max_tokens` when the request comes,
///   corrected to what was used when it ends;
/// - `Signals` chooses what the server tells its clients: OpenAI's headers (reset as the time to
///   a full bucket, or — as some compatible servers send it — to the end of a fixed minute),
///   Anthropic's (`anthropic-ratelimit-*`, RFC 3339 reset times, `retry-after` in whole
///   seconds), only `retry-after(-ms)` on a 429, or a bare 429.
public final class TokenBucketLimit: Sendable {
    /// What the limit decided for one request.
    public struct Decision: Sendable {
        /// Whether the request may be answered.
        public var allowed: Bool
        /// The headers to send with the answer or the 429.
        public var headers: [(String, String)]
        /// Which limit refused it: "requests", "tokens", "input tokens" or "output tokens".
        public var refusedBy: String?
    }

    /// What the server tells its clients.
    public enum Signals: Sendable, CaseIterable {
        /// OpenAI's `x-ratelimit-*` on every answer (reset: time to a full minute's bucket),
        /// `retry-after-ms` and `retry-after` on a 429.
        case openAI
        /// The same names with the reset counted to the end of a fixed minute window, and the
        /// remaining count of that window.
        case openAIFixedWindow
        /// Anthropic's `anthropic-ratelimit-*` on every answer, `retry-after` (whole seconds) on
        /// a 429, and Anthropic's message bodies.
        case anthropic
        /// Only `retry-after(-ms)` on a 429.
        case retryAfterOnly
        /// A 429 and nothing else.
        case bare
    }

    private struct Bucket {
        var level: Double
        var capacity: Double
        var rate: Double

        mutating func refill(_ elapsed: Double) { level = min(capacity, level + elapsed * rate) }
    }

    private struct State {
        var at = 0.0
        var requests: Bucket
        var minute: Bucket
        var tokens: Bucket?
        var outputTokens: Bucket?
        var windowStart = 0.0
        var windowUsed = 0.0
        var answered = 0
        var refused = 0
    }

    /// Requests refilled per second (the minute's limit / 60).
    public let perSecond: Double
    /// What the server tells its clients.
    public let signals: Signals
    /// Requests the enforcing bucket holds.
    public let capacity: Double
    /// Whether a refused request is taken from the bucket too.
    public let countsRefusals: Bool
    /// The token limit a minute, or nil.
    public let tokensPerMinute: Double?
    private let state: Locked<State>
    private let origin = ContinuousClock.now

    /// A full bucket of `capacity` requests refilled at `perSecond`, telling clients `signals`.
    public init(perSecond: Double, capacity: Double? = nil, signals: Signals = .openAI, countsRefusals: Bool = false,
                tokensPerMinute: Double? = nil) {
        self.perSecond = perSecond
        self.signals = signals
        self.capacity = capacity ?? perSecond
        self.countsRefusals = countsRefusals
        self.tokensPerMinute = tokensPerMinute
        let tokenShare = tokensPerMinute.map { $0 / 60 }
        state = Locked(State(requests: Bucket(level: capacity ?? perSecond, capacity: capacity ?? perSecond, rate: perSecond),
                             minute: Bucket(level: perSecond * 60, capacity: perSecond * 60, rate: perSecond),
                             tokens: tokenShare.map { Bucket(level: $0, capacity: $0, rate: $0) },
                             outputTokens: signals == .anthropic ? tokenShare.map { Bucket(level: $0, capacity: $0, rate: $0) } : nil))
    }

    /// Requests answered and refused so far.
    public var counts: (answered: Int, refused: Int) { state.withLock { ($0.answered, $0.refused) } }

    private var now: Double {
        let elapsed = ContinuousClock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// What a request costs in tokens as the provider estimates it for its limiter: the
    /// characters of its messages (and system prompt) / 4, and its `max_tokens`.
    public static func estimate(_ body: [UInt8]) -> (input: Double, output: Double) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return (0, 0) }
        var characters = 0
        func count(_ value: Any?) {
            if let text = value as? String { characters += text.count }
            if let parts = value as? [[String: Any]] { for part in parts { count(part["text"]) } }
        }
        count(object["system"])
        for message in object["messages"] as? [[String: Any]] ?? [] { count(message["content"]) }
        let maxTokens = (object["max_tokens"] as? Int) ?? (object["max_completion_tokens"] as? Int) ?? 0
        return ((Double(characters) / 4).rounded(.up), Double(maxTokens))
    }

    /// Takes one request of `body` from the buckets, or refuses it.
    public func take(_ body: [UInt8] = []) -> Decision {
        let now = self.now
        let (input, output) = tokensPerMinute == nil ? (0, 0) : Self.estimate(body)
        return state.withLock { state in
            let elapsed = max(0, now - state.at)
            state.at = now
            state.requests.refill(elapsed)
            state.minute.refill(elapsed)
            state.tokens?.refill(elapsed)
            state.outputTokens?.refill(elapsed)
            if now - state.windowStart >= 60 {
                state.windowStart = now - (now - state.windowStart).truncatingRemainder(dividingBy: 60)
                state.windowUsed = 0
            }
            let anthropic = signals == .anthropic
            let tokenCost = anthropic ? input : input + output
            var refusedBy: String?
            if state.requests.level < 1 {
                refusedBy = "requests"
            } else if let tokens = state.tokens, tokens.level < min(tokenCost, tokens.capacity) {
                refusedBy = anthropic ? "input tokens" : "tokens"
            } else if let outputs = state.outputTokens, outputs.level < min(output, outputs.capacity) {
                refusedBy = "output tokens"
            }
            let allowed = refusedBy == nil
            if allowed || countsRefusals {
                state.requests.level = max(-state.requests.capacity, state.requests.level - 1)
                state.minute.level -= 1
                state.windowUsed += 1
                state.tokens?.level -= tokenCost
                // Anthropic counts output at max_tokens as the request starts and corrects it
                // to what was used when it ends: the stub's answers use 5 tokens.
                state.outputTokens?.level -= allowed ? min(output, 5) : 0
            }
            if allowed { state.answered += 1 } else { state.refused += 1 }
            return Decision(allowed: allowed, headers: headers(state, refusedBy: refusedBy, now: now), refusedBy: refusedBy)
        }
    }

    private func headers(_ state: State, refusedBy: String?, now: Double) -> [(String, String)] {
        let limit = perSecond * 60
        var headers: [(String, String)] = []
        let waitForRequest = max(0.001, (1 - state.requests.level) / perSecond)
        switch signals {
        case .openAI, .openAIFixedWindow:
            let remaining = signals == .openAI ? state.minute.level : limit - state.windowUsed
            let reset = signals == .openAI ? (limit - state.minute.level) / perSecond : 60 - (now - state.windowStart)
            headers = [("x-ratelimit-limit-requests", String(Int(limit))),
                       ("x-ratelimit-remaining-requests", String(Int(max(0, remaining).rounded(.down)))),
                       ("x-ratelimit-reset-requests", Self.duration(max(0, reset)))]
            let tokenLimit = tokensPerMinute ?? 150_000_000
            let tokensLeft = state.tokens.map { $0.level * 60 } ?? tokenLimit
            headers += [("x-ratelimit-limit-tokens", String(Int(tokenLimit))),
                        ("x-ratelimit-remaining-tokens", String(Int(max(0, min(tokenLimit, tokensLeft))))),
                        ("x-ratelimit-reset-tokens", Self.duration(max(0, tokenLimit - tokensLeft) / (tokenLimit / 60)))]
            if refusedBy != nil {
                let wait = refusedBy == "tokens" ? tokenWait(state) : waitForRequest
                headers += [("retry-after-ms", String(Int((wait * 1000).rounded(.up)))), ("retry-after", String(Int(wait.rounded(.up))))]
            }
        case .anthropic:
            let date = Date()
            func at(_ seconds: Double) -> String { ISO8601DateFormatter().string(from: date.addingTimeInterval(seconds.rounded(.up))) }
            headers = [("anthropic-ratelimit-requests-limit", String(Int(limit))),
                       ("anthropic-ratelimit-requests-remaining", String(Int(max(0, state.minute.level)))),
                       ("anthropic-ratelimit-requests-reset", at((limit - state.minute.level) / perSecond))]
            if let tokensPerMinute, let tokens = state.tokens, let outputs = state.outputTokens {
                for (name, bucket) in [("input-tokens", tokens), ("output-tokens", outputs), ("tokens", tokens)] {
                    let left = max(0, bucket.level * 60)
                    headers += [("anthropic-ratelimit-\(name)-limit", String(Int(tokensPerMinute))),
                                ("anthropic-ratelimit-\(name)-remaining", String(Int(left))),
                                ("anthropic-ratelimit-\(name)-reset", at((tokensPerMinute - left) / (tokensPerMinute / 60)))]
                }
            }
            if refusedBy != nil { headers.append(("retry-after", String(Int(waitForRequest.rounded(.up))))) }
        case .retryAfterOnly:
            if refusedBy != nil {
                headers = [("retry-after-ms", String(Int((waitForRequest * 1000).rounded(.up)))),
                           ("retry-after", String(Int(waitForRequest.rounded(.up))))]
            }
        case .bare:
            break
        }
        return headers
    }

    private func tokenWait(_ state: State) -> Double {
        guard let tokens = state.tokens, tokens.rate > 0 else { return 0.001 }
        return max(0.001, -tokens.level / tokens.rate)
    }

    /// A duration in OpenAI's spelling: `20ms` under a second, `1.5s` under a minute, `6m0s` above.
    public static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 { return String(format: "%.3gs", seconds) }
        return "\(Int(seconds) / 60)m\(Int(seconds) % 60)s"
    }

    /// A stub handler answering `content` after `latency` seconds, within the limit, in the
    /// wire format of the provider the signals belong to.
    public func handler(latency: Double, content: String = "fine") -> StubServer.Handler {
        { request in
            let decision = self.take(request.body)
            let json = [("Content-Type", "application/json")]
            let anthropic = self.signals == .anthropic
            guard decision.allowed else {
                let limit = Int(self.perSecond * 60)
                let measure = decision.refusedBy ?? "requests"
                let body = anthropic
                    ? AnthropicWire.error(type: "rate_limit_error", message: "This request would exceed the rate limit for your organization "
                                          + "(org-stub) of \(measure == "requests" ? limit : Int(self.tokensPerMinute ?? 0)) \(measure) per minute. "
                                          + "For details, refer to the rate limits documentation.")
                    : OpenAIWire.error(message: "Rate limit reached for gpt-4o-mini in organization org-stub on \(measure) per min "
                                       + "(\(measure == "requests" ? "RPM" : "TPM")): Limit \(measure == "requests" ? limit : Int(self.tokensPerMinute ?? 0)).",
                                       type: measure, code: "rate_limit_exceeded")
                return StubServer.Response(status: 429, headers: json + decision.headers, body: body)
            }
            let body = anthropic ? AnthropicWire.message(text: content) : OpenAIWire.completion(content: content)
            return StubServer.Response(headers: json + decision.headers, body: body, delay: latency)
        }
    }
}
