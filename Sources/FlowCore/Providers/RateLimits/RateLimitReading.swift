import Foundation

/// What a provider's response headers say about its rate limits: for requests and for tokens,
/// the window's size, what is left of it and when it is whole again. Pure: the scheduler feeds
/// it headers and learns the provider's pace from it.
///
/// - OpenAI (and compatible servers that copy it): `x-ratelimit-limit-requests`,
///   `x-ratelimit-remaining-requests`, `x-ratelimit-reset-requests` (a duration such as `12ms`,
///   `1s`, `6m0s`: the time until the limit is back to its initial state), and the same three for
///   `-tokens`.
/// - Anthropic: `anthropic-ratelimit-requests-limit`, `-remaining`, `-reset` (an RFC 3339 time
///   when the limit is fully replenished), and the same for `input-tokens` and `output-tokens`;
///   the combined `tokens` (the most restrictive of the two) only when neither is sent.
///
/// Both state per-minute limits. The reset time is read but not used for the pace: servers
/// that copy the header names disagree on what it means (time to a full bucket, or to the end
/// of a fixed window), and the limit alone gives the minute's pace.
public struct RateLimitReading: Sendable, Equatable {
    /// One limit as the headers state it.
    public struct Window: Sendable, Equatable {
        /// The most the window allows.
        public var limit: Double
        /// What is left now.
        public var remaining: Double
        /// Seconds until it is whole again.
        public var resetSeconds: Double
    }

    /// The request limit.
    public var requests: Window?
    /// A token limit counting input and output together (OpenAI's TPM, which counts a
    /// request's prompt and its `max_tokens`; Anthropic's combined one).
    public var tokens: Window?
    /// Anthropic's input-token limit.
    public var inputTokens: Window?
    /// Anthropic's output-token limit.
    public var outputTokens: Window?

    /// Whether the headers said anything.
    public var isEmpty: Bool { requests == nil && tokens == nil && inputTokens == nil && outputTokens == nil }

    /// Reads `headers` (names lowercased); `now` turns Anthropic's reset times into seconds.
    public static func read(_ headers: [String: String], now: Date) -> RateLimitReading {
        var reading = RateLimitReading()
        reading.requests = openAI(headers, "requests") ?? anthropic(headers, "requests", now: now)
        reading.inputTokens = anthropic(headers, "input-tokens", now: now)
        reading.outputTokens = anthropic(headers, "output-tokens", now: now)
        reading.tokens = openAI(headers, "tokens")
            ?? (reading.inputTokens == nil && reading.outputTokens == nil ? anthropic(headers, "tokens", now: now) : nil)
        return reading
    }

    /// Which limit a 429's message names, in the words OpenAI ("on tokens per min (TPM)",
    /// "on requests per min (RPM)") and Anthropic ("… of 20,000 input tokens per minute") use;
    /// nil when it names none.
    static func exhausted(_ message: String) -> Pacer.Measure? {
        let text = message.lowercased()
        if text.contains("input tokens") || text.contains("input_tokens") { return .inputTokens }
        if text.contains("output tokens") || text.contains("output_tokens") { return .outputTokens }
        if text.contains("tokens per min") || text.contains("(tpm)") { return .tokens }
        if text.contains("requests per min") || text.contains("(rpm)") { return .requests }
        return nil
    }

    /// Why a 429 will not lift within `budget` seconds of waiting, or nil when it may: a daily
    /// or hourly limit named in its message (OpenAI's RPD/TPD, Gemini's per-day quotas), a
    /// retry-after longer than the budget, or a window the headers show spent with its reset
    /// later than that.
    public static func outlasting(message: String, retryAfter: Double?, headers: [String: String], budget: Double, now: Date) -> String? {
        let text = message.lowercased()
        if ["per day", "(rpd)", "(tpd)", "perday", "per_day", "daily"].contains(where: text.contains) {
            return "a daily limit, which lifts within a day"
        }
        if ["per hour", "perhour", "hourly"].contains(where: text.contains) { return "an hourly limit, which lifts within an hour" }
        if let retryAfter, retryAfter > budget { return "the provider asks to wait \(Int(retryAfter.rounded(.up))) s" }
        let reading = read(headers, now: now)
        for window in [reading.requests, reading.tokens, reading.inputTokens, reading.outputTokens].compactMap({ $0 })
        where window.remaining <= 0 && window.resetSeconds > budget {
            return "its window is spent until \(Int(window.resetSeconds.rounded(.up))) s from now"
        }
        return nil
    }

    private static func openAI(_ headers: [String: String], _ kind: String) -> Window? {
        guard let limit = count(headers["x-ratelimit-limit-\(kind)"]), let remaining = count(headers["x-ratelimit-remaining-\(kind)"]) else {
            return nil
        }
        // Azure sends -1 for a limit it does not enforce: no window at all.
        guard limit > 0 else { return nil }
        let reset = headers["x-ratelimit-reset-\(kind)"].flatMap(duration) ?? 0
        return Window(limit: limit, remaining: max(0, min(remaining, limit)), resetSeconds: reset)
    }

    private static func anthropic(_ headers: [String: String], _ kind: String, now: Date) -> Window? {
        let prefix = "anthropic-ratelimit-\(kind)-"
        guard let limit = count(headers[prefix + "limit"]), limit > 0, let remaining = count(headers[prefix + "remaining"]) else { return nil }
        var reset = 0.0
        if let text = headers[prefix + "reset"], let date = timestamp(text) { reset = max(0, date.timeIntervalSince(now)) }
        return Window(limit: limit, remaining: max(0, min(remaining, limit)), resetSeconds: min(reset, 86_400))
    }

    /// A finite number, or nil (a negative one is Azure's "not enforced", which callers drop).
    static func count(_ text: String?) -> Double? {
        guard let text, let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else { return nil }
        return value
    }

    /// A Go-style duration as OpenAI writes it: `12ms`, `1s`, `1.5s`, `6m0s`, `1h2m3s`; a bare
    /// number is seconds. Nil for anything else or more than a day.
    static func duration(_ text: String) -> Double? {
        var total = 0.0, number = "", unit = "", sawAny = false
        func flush() -> Bool {
            guard !number.isEmpty, let value = Double(number) else { return number.isEmpty && unit.isEmpty }
            let scale: Double
            switch unit {
            case "h": scale = 3600
            case "m": scale = 60
            case "s", "": scale = 1
            case "ms": scale = 0.001
            case "us", "µs": scale = 0.000_001
            case "ns": scale = 0.000_000_001
            default: return false
            }
            total += value * scale
            sawAny = true
            number = ""
            unit = ""
            return true
        }
        for character in text.trimmingCharacters(in: .whitespaces) {
            if character.isNumber || character == "." {
                if !unit.isEmpty, !flush() { return nil }
                number.append(character)
            } else if character.isLetter {
                guard !number.isEmpty || !unit.isEmpty else { return nil }
                unit.append(character)
            } else {
                return nil
            }
        }
        // A number without a unit is seconds only on its own (`2`), never after a unit (`1s2`).
        if !number.isEmpty, unit.isEmpty, sawAny { return nil }
        guard flush(), sawAny, total.isFinite, total <= 86_400 else { return nil }
        return total
    }

    private static func timestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
