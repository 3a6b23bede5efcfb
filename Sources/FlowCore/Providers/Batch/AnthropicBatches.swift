import Foundation

/// Anthropic's Message Batches API: `POST /v1/messages/batches` with `{requests: [{custom_id,
/// params}]}`, polled with `GET /v1/messages/batches/{id}` (`processing_status` in_progress,
/// canceling, ended), answers streamed from `results_url` as JSON Lines `{custom_id, result:
/// {type: succeeded | errored | canceled | expired, message | error}}`, in any order. 100,000
/// requests and 256 MB per batch.
public struct AnthropicBatches: HTTPBatchClient {
    let http: BatchHTTP

    /// A client for the provider `adapter` speaks to, with `apiKey`.
    public init(adapter: AnthropicAdapter, apiKey: String, transport: any HTTPTransport) {
        http = BatchHTTP(adapter: adapter, transport: transport, apiKey: apiKey)
    }

    public var limits: (requests: Int, bytes: Int) { (100_000, 256 << 20) }

    func entries(_ items: [BatchItem]) throws(ProviderError) -> [JSON] {
        var entries: [JSON] = []
        for item in items { entries.append(.object([("custom_id", .string(item.customID)), ("params", try http.body(item.request))])) }
        return entries
    }

    public func sizes(_ items: [BatchItem]) throws(ProviderError) -> [Int] { try entries(items).map { $0.serialized.utf8.count + 1 } }

    public func submit(_ items: [BatchItem]) async throws(ProviderError) -> BatchStatus {
        try Self.status(try await http.json(request("POST", baseURL + "/v1/messages/batches",
                                                    json: .object([("requests", .array(try entries(items)))]))))
    }

    public func status(_ id: String) async throws(ProviderError) -> BatchStatus {
        try Self.status(try await http.json(request("GET", baseURL + "/v1/messages/batches/" + id)))
    }

    public func cancel(_ id: String) async throws(ProviderError) -> BatchStatus {
        try Self.status(try await http.json(request("POST", baseURL + "/v1/messages/batches/\(id)/cancel")))
    }

    public func results(_ status: BatchStatus, ids: [String]) async throws(ProviderError) -> [String: Result<ChatResponse, ProviderError>] {
        guard let url = status.results.first else { return [:] }
        // The results URL comes from the provider's answer; the key goes only to the host it was
        // configured for.
        guard URL(string: url)?.host == URL(string: baseURL)?.host, URL(string: url)?.scheme == URL(string: baseURL)?.scheme else {
            throw ProviderError(.decode, "Anthropic gave a results URL on another host than \(baseURL); the key was not sent there")
        }
        var answers: [String: Result<ChatResponse, ProviderError>] = [:]
        for line in BatchHTTP.lines(try await http.ok(request("GET", url)).body) {
            guard let id = line["custom_id"]?.string else { continue }
            answers[id] = Self.outcome(line["result"], http: http)
        }
        return answers
    }

    /// One result line: the message decoded as a direct answer, or why there is none.
    static func outcome(_ result: JSON?, http: BatchHTTP) -> Result<ChatResponse, ProviderError> {
        switch result?["type"]?.string {
        case "succeeded":
            guard let message = result?["message"] else { break }
            return http.answer(status: 200, body: message)
        case "errored":
            let error = result?["error"]?["error"] ?? result?["error"]
            return .failure(ProviderError(.http, "Anthropic batch: \(error?["message"]?.string ?? "errored")", errorType: error?["type"]?.string))
        case let other?:
            return .failure(ProviderError(.http, "Anthropic batch: the request was \(other) before it was processed", errorType: other))
        default:
            break
        }
        return .failure(ProviderError(.decode, "Anthropic batch: a result line without a result"))
    }

    /// A message batch object in flow's terms.
    static func status(_ json: JSON) throws(ProviderError) -> BatchStatus {
        guard let id = json["id"]?.string, let state = json["processing_status"]?.string else {
            throw ProviderError(.decode, "Anthropic answered a batch request without an id and a processing_status")
        }
        let counts = json["request_counts"]
        let done = ["succeeded", "errored", "canceled", "expired"].reduce(0) { $0 + (counts?[$1]?.int ?? 0) }
        let phase: BatchStatus.Phase = state == "ended" ? (json["cancel_initiated_at"]?.string != nil ? .cancelled : .ended) : .running
        return BatchStatus(id: id, phase: phase, providerState: state, finished: done, total: done + (counts?["processing"]?.int ?? 0),
                           results: [json["results_url"]?.string].compactMap { $0 })
    }

    private func request(_ method: String, _ url: String, json: JSON? = nil) -> HTTPRequest {
        var headers = [Header("x-api-key", apiKey), Header("anthropic-version", AnthropicAdapter.version)]
        if json != nil { headers.append(Header("Content-Type", "application/json")) }
        return HTTPRequest(method: method, url: url, headers: headers, body: json.map { Array($0.serialized.utf8) } ?? [])
    }
}
