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
    /// Shared by concurrent workers, so a 429 slows all of them.
    let gate: RateGate?

    /// A provider over HTTP; `gate` is shared by the workers of a test run.
    public init(adapter: any ProviderAdapter, apiKey: String?, transport: any HTTPTransport,
                retry: RetryPolicy = .default, onRetry: (@Sendable (RetryAttempt) -> Void)? = nil, gate: RateGate? = nil) {
        self.adapter = adapter
        self.apiKey = apiKey
        self.transport = transport
        self.retry = retry
        self.onRetry = onRetry
        self.gate = gate
    }

    /// The provider's name, as `model:` spells it.
    public var name: String { adapter.providerName }

    /// How this provider treats an assistant prefill for `model`.
    public func prefillMode(for model: String) -> PrefillMode { adapter.prefillMode(for: model) }

    /// Refuses what the provider cannot express, before anything is sent.
    public func check(_ request: ChatRequest) throws(ProviderError) { try adapter.check(request) }

    /// The request as it would go on the wire, without the key (for transcripts and `flow render`).
    public func wire(_ request: ChatRequest) -> HTTPRequest? { try? adapter.encode(request, apiKey: nil) }

    /// Sends the request and decodes the whole answer, retrying what may succeed later.
    public func complete(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
        try adapter.check(request)
        let http = try adapter.encode(request, apiKey: apiKey)
        return try await withRetries { () async throws(ProviderError) -> ChatResponse in
            try adapter.decode(try await transport.send(http))
        }
    }

    /// Streams on the wire. A retry starts the answer over: text already passed to `onText`
    /// stays where it went, and the response holds only the final attempt's text.
    public func stream(_ request: ChatRequest, onText: @escaping @Sendable (String) -> Void) async throws(ProviderError) -> ChatResponse {
        try adapter.check(request)
        let http = try adapter.encodeStream(request, apiKey: apiKey)
        return try await withRetries { () async throws(ProviderError) -> ChatResponse in
            let state = StreamState(parser: SSEParser(), decoder: adapter.streamDecoder(), onText: onText)
            let response = try await transport.stream(http) { bytes throws(ProviderError) in try state.feed(bytes) }
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

    private func withRetries(_ attemptOnce: () async throws(ProviderError) -> ChatResponse) async throws(ProviderError) -> ChatResponse {
        var attempt = 1
        while true {
            try await gate?.wait()
            do {
                let response = try await attemptOnce()
                await gate?.reached()
                return response
            } catch {
                if error.isConnectionRefused, let open = await gate?.unreachable() { throw open }
                guard error.retryable, attempt <= retry.maxRetries else { throw error }
                let delay = retry.delay(afterAttempt: attempt, asked: error.retryAfter)
                // Only a wait the server named holds every worker; a bare 429 slows this one.
                if error.status == 429, error.retryAfter != nil { await gate?.pause(delay) }
                onRetry?(RetryAttempt(attempt: attempt, error: error, delay: delay))
                try await Pause.seconds(delay)
                attempt += 1
            }
        }
    }
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

    /// A policy; the defaults are three retries from half a second, at most 30 s apart.
    public init(maxRetries: Int = 3, baseDelay: Double = 0.5, maxDelay: Double = 30) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Three retries from half a second, at most 30 s apart.
    public static let `default` = RetryPolicy()

    /// The wait before attempt `attempt + 1`: what the provider asked, or base × 2^(attempt-1)
    /// with up to 25% jitter so parallel clients spread out; never above `maxDelay`.
    public func delay(afterAttempt attempt: Int, asked: Double?, jitter: Double = Double.random(in: 0...0.25)) -> Double {
        let wanted = asked ?? baseDelay * Double(1 << min(max(attempt - 1, 0), 20)) * (1 + jitter)
        // Whatever the inputs, a wait is a finite number of seconds from 0 to maxDelay.
        guard wanted.isFinite, wanted > 0 else { return 0 }
        return min(wanted, maxDelay)
    }
}
