import Foundation
import FlowSource

/// A provider reached over HTTP: an adapter, a transport, a key, and the retry policy.
public struct HTTPProvider: ChatProvider {
    /// The provider's wire format and rules.
    public let adapter: any ProviderAdapter
    let apiKey: String?
    let transport: any HTTPTransport
    let retry: RetryPolicy
    /// Told of each failed attempt that will be retried, so the transcript shows it.
    let onRetry: (@Sendable (RetryAttempt) -> Void)?
    /// Told of each wait for a rate limit.
    let onWait: (@Sendable (RateWait) -> Void)?
    /// Shared by concurrent workers of the endpoint: its pace, its 429s and its breaker.
    let gate: RateGate?

    /// A provider over HTTP; `gate` is shared by the workers of a run.
    public init(adapter: any ProviderAdapter, apiKey: String?, transport: any HTTPTransport, retry: RetryPolicy = .default,
                onRetry: (@Sendable (RetryAttempt) -> Void)? = nil, onWait: (@Sendable (RateWait) -> Void)? = nil, gate: RateGate? = nil) {
        self.adapter = adapter
        self.apiKey = apiKey
        self.transport = transport
        self.retry = retry
        self.onRetry = onRetry
        self.onWait = onWait
        self.gate = gate
    }

    /// The provider's name, as `model:` spells it.
    public var name: ProviderName { adapter.providerName }

    /// How this provider treats an assistant prefill for `model`.
    public func prefillMode(for model: String) -> PrefillMode { adapter.prefillMode(for: model) }

    /// Refuses what the provider cannot express, before anything is sent.
    public func check(_ request: ChatRequest) throws(ProviderError) { try adapter.check(request) }

    /// The request as it would go on the wire, without the key (for transcripts and `flow render`).
    public func wire(_ request: ChatRequest) -> HTTPRequest? { try? adapter.encode(request, apiKey: nil) }

    /// Sends the request and decodes the whole answer, retrying what may succeed later.
    public func complete(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
        if let n = request.params.n, n > 1, !adapter.choicesNative { return try await emulateChoices(request, n: n) }
        try adapter.check(request)
        let http = try adapter.encode(request, apiKey: apiKey)
        return try await withRetries(request) { headers async throws(ProviderError) -> ChatResponse in
            let response = try await transport.send(http)
            headers = response.headers
            return try adapter.decode(response)
        }
    }

    /// `n` answers from a provider without `n`: that many calls, one after another, merged into
    /// one response (the first call's answer and finish, every answer as a choice, usage summed),
    /// so the cassette records one response and cost counts every call.
    private func emulateChoices(_ request: ChatRequest, n: Int) async throws(ProviderError) -> ChatResponse {
        var single = request
        single.params.n = nil
        var merged = try await complete(single)
        var choices = [merged.content]
        for _ in 1..<n {
            let next = try await complete(single)
            choices.append(next.content)
            merged.usage = merged.usage + next.usage
        }
        merged.choices = choices
        return merged
    }

    /// Streams on the wire. A retry starts the answer over: text already passed to `onText`
    /// stays where it went, and the response holds only the final attempt's text.
    public func stream(_ request: ChatRequest, onText: @escaping @Sendable (String) -> Void) async throws(ProviderError) -> ChatResponse {
        try adapter.check(request)
        let http = try adapter.encodeStream(request, apiKey: apiKey)
        return try await withRetries(request) { headers async throws(ProviderError) -> ChatResponse in
            let state = StreamState(parser: SSEParser(), decoder: adapter.streamDecoder(), onText: onText)
            let response = try await transport.stream(http) { bytes throws(ProviderError) in try state.feed(bytes) }
            headers = response.headers
            guard (200..<300).contains(response.status) else {
                // Errors arrive as ordinary bodies; decode reports them.
                return try adapter.decode(response)
            }
            do throws(ProviderError) {
                return try state.finish()
            } catch {
                // A proxy's login page or a misrouted URL answers 200 with something else: say what came.
                let type = response.headers["content-type"] ?? "none"
                guard !type.lowercased().hasPrefix("text/event-stream") else { throw error }
                throw ProviderError(.decode, "\(adapter.providerName) answered HTTP \(response.status) with content type \(type), not an event "
                                    + "stream; it began: \(Printable.quoted(state.firstBytes))", status: response.status)
            }
        }
    }

    /// Sends through the gate until an answer, a failure that retrying cannot fix, or the
    /// retries are spent. A rate-limited answer (a 429 the provider may lift) is waited out and
    /// sent again without counting against `--retries`, for up to `retry.maxWait` seconds of
    /// waiting; `--retries` is for server errors and transport faults.
    private func withRetries(_ request: ChatRequest,
                             _ attemptOnce: (inout [String: String]) async throws(ProviderError) -> ChatResponse) async throws(ProviderError) -> ChatResponse {
        var attempt = 1, limitedTimes = 0
        var waited = 0.0
        let model = request.model
        while true {
            let onWait = self.onWait
            let admission = try await gate?.admit(model: model, tokens: request.estimatedInputTokens, outputTokens: request.params.maxTokens ?? 0,
                                                  onHold: { onWait?(RateWait(seconds: $0, reason: .pacing, ahead: true)) })
            if let paced = admission?.waited {
                waited += paced
                if paced >= 0.001 { onWait?(RateWait(seconds: paced, reason: .pacing)) }
            }
            var headers: [String: String] = [:]
            let error: ProviderError
            do throws(ProviderError) {
                let response = try await attemptOnce(&headers)
                if let admission { await gate?.settle(admission, .answered(headers), model: model) }
                return response
            } catch let failure {
                error = failure
            }
            if error.isRateLimited {
                if let admission {
                    await gate?.settle(admission, .limited(retryAfter: error.retryAfter, headers: headers, message: error.message), model: model)
                }
                // A limit that will not lift within --max-wait fails now, not after the wait. The
                // whole budget is the measure: a wait that fits it but not what is left of it is
                // the "still rate-limited after waiting" case below.
                if let why = RateLimitReading.outlasting(message: error.message, retryAfter: error.retryAfter, headers: headers,
                                                         budget: retry.maxWait, now: Date()) {
                    var stopped = error
                    stopped.retryable = false
                    stopped.message += " — \(why), longer than --max-wait (\(RetryPolicy.seconds(retry.maxWait))) allows: run again later, "
                        + "raise --max-wait, or ask the provider for a higher limit"
                    throw stopped
                }
                limitedTimes += 1
                // A 429 that names no wait backs off at most a few seconds: the shared gate has
                // already cut the endpoint's allowance, and a long lone wait only makes a tail.
                let delay = error.retryAfter != nil ? retry.delay(afterAttempt: limitedTimes, asked: error.retryAfter)
                    : min(retry.delay(afterAttempt: limitedTimes, asked: nil), RetryPolicy.longestBareRateLimitWait)
                guard waited + delay <= retry.maxWait else {
                    var stopped = error
                    stopped.message += " — still rate-limited after waiting \(Int(waited.rounded())) s in all "
                        + "(--max-wait \(RetryPolicy.seconds(retry.maxWait))); lower -j, declare rate_limits in flow.config.yaml, or raise --max-wait"
                    throw stopped
                }
                onWait?(RateWait(seconds: delay, reason: .rateLimited, status: error.status))
                // A wait the provider named holds every worker (the gate's pause); one it did not
                // name backs off only this request, while the gate halves the allowance.
                if error.retryAfter == nil || gate == nil {
                    try await Pause.seconds(delay)
                    waited += delay
                }
                continue
            }
            if let gate, let admission {
                await gate.settle(admission, .failed, model: model)
                if error.isConnectionRefused, let open = await gate.unreachable() { throw open }
            }
            // A cancelled run (an app's task, a client gone) is not retried.
            guard error.retryable, attempt <= retry.maxRetries, !Task.isCancelled else { throw error }
            let delay = retry.delay(afterAttempt: attempt, asked: error.retryAfter)
            onRetry?(RetryAttempt(attempt: attempt, error: error, delay: delay))
            try await Pause.seconds(delay)
            attempt += 1
        }
    }
}

/// A request held back by a rate limit: paced before it was sent, or waiting out a 429.
public struct RateWait: Sendable, Equatable {
    /// Why it waited.
    public enum Reason: String, Sendable {
        /// Spread out to the provider's pace (declared or learned limits, a retry-after, the allowance).
        case pacing
        /// Answered 429; waiting before sending it again.
        case rateLimited = "rate_limited"
    }

    /// Seconds waited (pacing) or about to be waited (a 429).
    public var seconds: Double
    /// Why.
    public var reason: Reason
    /// The HTTP status of a rate-limited answer.
    public var status: Int?
    /// Said before a pacing wait of some seconds begins, so a terminal can count it down; the
    /// same wait is told again (not ahead) once it is over.
    public var ahead: Bool

    /// A wait of `seconds` for `reason`.
    public init(seconds: Double, reason: Reason, status: Int? = nil, ahead: Bool = false) {
        self.seconds = seconds
        self.reason = reason
        self.status = status
        self.ahead = ahead || reason == .rateLimited
    }

    /// Pacing waits at least this long are told ahead, as well as once over.
    public static let announced = 3.0
}

extension ProviderError {
    /// A 429 the provider may lift by waiting (not an exhausted quota): waited out, never a
    /// failure while the run may still wait.
    public var isRateLimited: Bool { status == 429 && retryable }
}

/// The parser and decoder of one streamed answer, fed from the transport's callback.
public final class StreamState: Sendable {
    private struct Reading {
        var parser: SSEParser
        var decoder: any StreamDecoder
        /// The start of the body as it came, for a message when it is not a stream at all.
        var firstBytes: [UInt8] = []
    }

    private let reading: Locked<Reading>
    private let onText: @Sendable (String) -> Void

    /// A reader for one streamed answer; `onText` hears each piece of text as it is decoded.
    public init(parser: SSEParser, decoder: any StreamDecoder, onText: @escaping @Sendable (String) -> Void) {
        reading = Locked(Reading(parser: parser, decoder: decoder))
        self.onText = onText
    }

    var firstBytes: [UInt8] { reading.current.firstBytes }

    /// Feeds the next bytes, cut anywhere.
    public func feed(_ bytes: [UInt8]) throws(ProviderError) {
        let onText = self.onText
        try reading.withLock { (state: inout Reading) throws(ProviderError) in
            if state.firstBytes.count < 200 { state.firstBytes += bytes.prefix(200 - state.firstBytes.count) }
            for event in try state.parser.feed(bytes) {
                let text = try state.decoder.consume(event)
                if !text.isEmpty { onText(text) }
            }
        }
    }

    /// The answer, once the stream has ended.
    public func finish() throws(ProviderError) -> ChatResponse {
        let onText = self.onText
        return try reading.withLock { (state: inout Reading) throws(ProviderError) -> ChatResponse in
            if let event = state.parser.finish() {
                let text = try state.decoder.consume(event)
                if !text.isEmpty { onText(text) }
            }
            return try state.decoder.finish()
        }
    }
}

/// One failed attempt that will be retried.
public struct RetryAttempt: Sendable {
    /// 1 for the first retry.
    public var attempt: Int
    /// The failure being retried.
    public var error: ProviderError
    /// Seconds until the next attempt.
    public var delay: Double
}

/// Exponential backoff with jitter, honouring the provider's `retry-after` up to a cap.
public struct RetryPolicy: Sendable {
    /// Retries after the first attempt (`--retries`).
    public var maxRetries: Int
    /// Seconds before the first retry; doubled each time.
    public var baseDelay: Double
    /// The longest wait, even when a provider asks for more.
    public var maxDelay: Double
    /// Seconds one request may spend waiting out rate limits before it fails (`--max-wait`).
    public var maxWait: Double = 600

    /// A policy; the defaults are three retries from half a second, at most 30 s apart.
    public init(maxRetries: Int = 3, baseDelay: Double = 0.5, maxDelay: Double = 30) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Three retries from half a second, at most 30 s apart.
    public static let `default` = RetryPolicy()

    /// The longest backoff after a 429 that names no wait.
    public static let longestBareRateLimitWait = 4.0

    /// A wait as messages write it: whole seconds, or tenths below ten so 0.35 s is not "0 s".
    static func seconds(_ value: Double) -> String {
        value >= 10 || value == value.rounded() ? "\(Int(value.rounded())) s" : String(format: "%.1f s", value)
    }

    /// The wait before attempt `attempt + 1`: what the provider asked, or base × 2^(attempt-1)
    /// with up to 25% jitter so parallel clients spread out; never above `maxDelay`.
    public func delay(afterAttempt attempt: Int, asked: Double?, jitter: Double = Double.random(in: 0...0.25)) -> Double {
        let wanted = asked ?? baseDelay * Double(1 << min(max(attempt - 1, 0), 20)) * (1 + jitter)
        // Whatever the inputs, a wait is a finite number of seconds from 0 to maxDelay.
        guard wanted.isFinite, wanted > 0 else { return 0 }
        return min(wanted, maxDelay)
    }
}
