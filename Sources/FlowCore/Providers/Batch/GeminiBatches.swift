import Foundation

/// Gemini's batch mode with inline requests: `POST {base}/v1beta/models/{model}:batchGenerateContent`
/// with `{batch: {displayName, inputConfig: {requests: {requests: [{request, metadata: {key}}]}}}}`
/// (under 20 MB), polled with `GET {base}/v1beta/batches/{id}` (`BATCH_STATE_PENDING`, `_RUNNING`,
/// `_SUCCEEDED`, `_FAILED`, `_CANCELLED`, `_EXPIRED`), the answers inline in the finished
/// operation, each `{response | error, metadata}`. The documentation puts the state in the
/// operation's `metadata` and the responses in its `response`, and states that responses come in
/// the order of the requests; both places and an answer without its `metadata.key` (reported by
/// users) are read, the last matched by position.
public struct GeminiBatches: HTTPBatchClient {
    let http: BatchHTTP

    /// A client for the provider `adapter` speaks to, with `apiKey`.
    public init(adapter: GeminiAdapter, apiKey: String, transport: any HTTPTransport) {
        http = BatchHTTP(adapter: adapter, transport: transport, apiKey: apiKey)
    }

    public var limits: (requests: Int, bytes: Int) { (100_000, 20_000_000) }

    func entries(_ items: [BatchItem]) throws(ProviderError) -> [JSON] {
        var entries: [JSON] = []
        for item in items {
            entries.append(.object([("request", try http.body(item.request)), ("metadata", .object([("key", .string(item.customID))]))]))
        }
        return entries
    }

    public func sizes(_ items: [BatchItem]) throws(ProviderError) -> [Int] { try entries(items).map { $0.serialized.utf8.count + 1 } }

    public func submit(_ items: [BatchItem]) async throws(ProviderError) -> BatchStatus {
        guard let model = items.first?.request.model else { throw ProviderError(.configuration, "an empty batch") }
        let body = JSON.object([("batch", .object([
            ("displayName", .string("flow-\(items.count)")),
            ("inputConfig", .object([("requests", .object([("requests", .array(try entries(items)))]))])),
        ]))])
        return try Self.status(try await http.json(request("POST", "/v1beta/models/\(model):batchGenerateContent", json: body)), ids: [])
    }

    public func status(_ id: String) async throws(ProviderError) -> BatchStatus {
        try Self.status(try await http.json(request("GET", "/v1beta/" + Self.resource(id))), ids: [])
    }

    public func cancel(_ id: String) async throws(ProviderError) -> BatchStatus {
        _ = try await http.ok(request("POST", "/v1beta/\(Self.resource(id)):cancel", json: .object([])))
        return try await status(id)
    }

    public func results(_ status: BatchStatus, ids: [String]) async throws(ProviderError) -> [String: Result<ChatResponse, ProviderError>] {
        Self.answers(try await http.json(request("GET", "/v1beta/" + Self.resource(status.id))), ids: ids, http: http)
    }

    /// `batches/123` whether given as `123` or `batches/123`.
    static func resource(_ id: String) -> String { id.hasPrefix("batches/") ? id : "batches/" + id }

    /// The inline answers of a finished operation, by key (or, without one, by position in `ids`).
    static func answers(_ operation: JSON, ids: [String], http: BatchHTTP) -> [String: Result<ChatResponse, ProviderError>] {
        let container = operation["response"]?["inlinedResponses"] ?? operation["metadata"]?["output"]?["inlinedResponses"]
        let items = container?["inlinedResponses"]?.array ?? container?.array ?? []
        var answers: [String: Result<ChatResponse, ProviderError>] = [:]
        for (index, item) in items.enumerated() {
            guard let key = item["metadata"]?["key"]?.string ?? (index < ids.count ? ids[index] : nil) else { continue }
            if let response = item["response"] {
                answers[key] = http.answer(status: 200, body: response)
            } else {
                answers[key] = .failure(ProviderError(.http, "Gemini batch: \(item["error"]?["message"]?.string ?? "no answer")",
                                                      errorType: item["error"]?["status"]?.string))
            }
        }
        return answers
    }

    /// A batch operation in flow's terms.
    static func status(_ operation: JSON, ids: [String]) throws(ProviderError) -> BatchStatus {
        let batch = operation["metadata"] ?? operation
        guard let name = operation["name"]?.string ?? batch["name"]?.string, let state = batch["state"]?.string ?? operation["state"]?.string else {
            throw ProviderError(.decode, "Gemini answered a batch request without a name and a state")
        }
        let phase: BatchStatus.Phase = switch state {
        case "BATCH_STATE_SUCCEEDED": .ended
        case "BATCH_STATE_FAILED": .failed
        case "BATCH_STATE_CANCELLED": .cancelled
        case "BATCH_STATE_EXPIRED": .expired
        default: .running
        }
        let stats = batch["batchStats"]
        func count(_ key: String) -> Int { stats?[key]?.int ?? stats?[key]?.string.flatMap { Int($0) } ?? 0 }
        return BatchStatus(id: name, phase: phase, providerState: state, finished: count("successfulRequestCount") + count("failedRequestCount"),
                           total: count("requestCount"))
    }

    private func request(_ method: String, _ path: String, json: JSON? = nil) -> HTTPRequest {
        var headers = [Header("x-goog-api-key", apiKey)]
        if json != nil { headers.append(Header("Content-Type", "application/json")) }
        return HTTPRequest(method: method, url: baseURL + path, headers: headers, body: json.map { Array($0.serialized.utf8) } ?? [])
    }
}
