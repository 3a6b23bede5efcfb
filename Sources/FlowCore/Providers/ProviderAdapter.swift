/// A provider's wire format as two pure functions, plus the checks made before sending.
public protocol ProviderAdapter: Sendable {
    /// The name in `provider/model` references: `openai`, `anthropic`, `gemini`, or a configured name.
    var providerName: ProviderName { get }
    /// The API root requests go to; with the name, what a rate limit is shared by.
    var baseURL: String { get }
    /// How a prefill is sent to `model`.
    func prefillMode(for model: String) -> PrefillMode
    /// Throws `.configuration` when the request asks for something the model cannot do.
    func check(_ request: ChatRequest) throws(ProviderError)
    func encode(_ request: ChatRequest, apiKey: String?) throws(ProviderError) -> HTTPRequest
    /// Reads an answer, or the error body of a failed call; `json` is the body already parsed,
    /// when the caller has it, so it is parsed once.
    func decodeBody(_ response: HTTPResponse, json: JSON?) throws(ProviderError) -> ChatResponse
    /// The same request asking for a stream of server-sent events.
    func encodeStream(_ request: ChatRequest, apiKey: String?) throws(ProviderError) -> HTTPRequest
    /// A fresh decoder for one streamed answer.
    func streamDecoder() -> any StreamDecoder
    /// Whether one request can ask for several answers (`n`); if not, they are that many calls.
    var choicesNative: Bool { get }
}

extension ProviderAdapter {
    /// Most providers take `n` in one request.
    public var choicesNative: Bool { true }

    /// The answer, normalized, with the provider's body kept as it came for the transcript.
    public func decode(_ response: HTTPResponse) throws(ProviderError) -> ChatResponse {
        let json = (200..<300).contains(response.status) ? try? JSON.parse(response.body) : nil
        var decoded = try decodeBody(response, json: json)
        decoded.raw = json
        return decoded
    }

    /// Refuses a prefill the model cannot take, so it is never dropped silently.
    func checkPrefill(_ request: ChatRequest) throws(ProviderError) {
        guard let prefill = request.prefill, !prefill.isEmpty, prefillMode(for: request.model) == .refused else { return }
        throw ProviderError(.configuration, "\(providerName)/\(request.model) does not accept an assistant prefill: remove 'prefill' or run this step on another model")
    }
}

extension Array where Element == JSON {
    /// OpenAI's choices or Gemini's candidates sorted by their `index` (in place for those
    /// without one): with `n` they may come in any order, and index 0 is the answer.
    var inIndexOrder: [JSON] {
        enumerated().sorted { ($0.element["index"]?.int ?? $0.offset, $0.offset) < ($1.element["index"]?.int ?? $1.offset, $1.offset) }
            .map(\.element)
    }
}

/// Reads the fields shared by the providers' error handling.
enum HTTPErrors {
    /// A 2xx body as JSON, or `.decode` naming the provider.
    static func json(_ response: HTTPResponse, from provider: ProviderName) throws(ProviderError) -> JSON {
        do {
            return try JSON.parse(response.body)
        } catch {
            throw ProviderError(.decode, "\(provider) answered with a body that is not JSON (\(error))", status: response.status)
        }
    }

    /// `retry-after-ms` (milliseconds) wins over `retry-after` (seconds); an HTTP date is ignored.
    /// A value that is not a finite number of seconds (`inf`, `nan`, `1e300`) is ignored: a
    /// server must not be able to make flow wait forever or crash converting it.
    static func retryAfter(_ headers: [String: String]) -> Double? {
        if let ms = headers["retry-after-ms"].flatMap(Double.init), ms.isFinite, ms >= 0, ms <= 86_400_000 { return ms / 1000 }
        if let seconds = headers["retry-after"].flatMap(Double.init), seconds.isFinite, seconds >= 0, seconds <= 86_400 { return seconds }
        return nil
    }

    /// Statuses worth another attempt for OpenAI and Anthropic (529 is Anthropic's "overloaded").
    static func isRetryable(_ status: Int) -> Bool {
        status == 408 || status == 409 || status == 429 || status >= 500
    }
}
