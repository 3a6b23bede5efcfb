import Foundation

/// OpenAI's Batch API: the requests as JSON Lines (`custom_id`, `method`, `url`, `body`) uploaded
/// with `POST /v1/files` (multipart, `purpose=batch`), `POST /v1/batches` over that file, polled
/// with `GET /v1/batches/{id}`, answers read from the output file and failures from the error
/// file (`GET /v1/files/{id}/content`), matched on `custom_id`. 50,000 requests and 200 MB per file.
public struct OpenAIBatches: HTTPBatchClient {
    let http: BatchHTTP

    /// A client for the provider `adapter` speaks to, with `apiKey`.
    public init(adapter: OpenAIAdapter, apiKey: String, transport: any HTTPTransport) {
        http = BatchHTTP(adapter: adapter, transport: transport, apiKey: apiKey)
    }

    public var limits: (requests: Int, bytes: Int) { (50_000, 200 << 20) }

    /// One input line per item.
    func lines(_ items: [BatchItem]) throws(ProviderError) -> [String] {
        var lines: [String] = []
        for item in items {
            lines.append(JSON.object([("custom_id", .string(item.customID)), ("method", .string("POST")),
                                      ("url", .string("/v1/chat/completions")), ("body", try http.body(item.request))]).serialized + "\n")
        }
        return lines
    }

    public func sizes(_ items: [BatchItem]) throws(ProviderError) -> [Int] { try lines(items).map(\.utf8.count) }

    public func submit(_ items: [BatchItem]) async throws(ProviderError) -> BatchStatus {
        let file = try await upload(try lines(items).joined())
        let created = try await http.json(request("POST", "/batches", json: .object([
            ("input_file_id", .string(file)), ("endpoint", .string("/v1/chat/completions")), ("completion_window", .string("24h")),
        ])))
        return try Self.status(created)
    }

    public func status(_ id: String) async throws(ProviderError) -> BatchStatus {
        try Self.status(try await http.json(request("GET", "/batches/" + id)))
    }

    public func cancel(_ id: String) async throws(ProviderError) -> BatchStatus {
        try Self.status(try await http.json(request("POST", "/batches/\(id)/cancel", json: .object([]))))
    }

    public func results(_ status: BatchStatus, ids: [String]) async throws(ProviderError) -> [String: Result<ChatResponse, ProviderError>] {
        var answers: [String: Result<ChatResponse, ProviderError>] = [:]
        for file in status.results {
            let content = try await http.ok(request("GET", "/files/\(file)/content"))
            for line in BatchHTTP.lines(content.body) {
                guard let id = line["custom_id"]?.string else { continue }
                answers[id] = Self.outcome(line, http: http)
            }
        }
        return answers
    }

    /// One output or error line: the answer's body decoded as a direct answer, or its error.
    static func outcome(_ line: JSON, http: BatchHTTP) -> Result<ChatResponse, ProviderError> {
        if let response = line["response"], let code = response["status_code"]?.int, let body = response["body"] {
            return http.answer(status: code, body: body)
        }
        let message = line["error"]?["message"]?.string ?? "no answer and no error"
        return .failure(ProviderError(.http, "OpenAI batch: \(message)", errorType: line["error"]?["code"]?.string))
    }

    /// A batch object in flow's terms.
    static func status(_ json: JSON) throws(ProviderError) -> BatchStatus {
        guard let id = json["id"]?.string, let state = json["status"]?.string else {
            throw ProviderError(.decode, "OpenAI answered a batch request without an id and a status")
        }
        let phase: BatchStatus.Phase = switch state {
        case "completed": .ended
        case "failed": .failed
        case "expired": .expired
        case "cancelled": .cancelled
        default: .running
        }
        let counts = json["request_counts"]
        let results = [json["output_file_id"]?.string, json["error_file_id"]?.string].compactMap { $0 }
        return BatchStatus(id: id, phase: phase, providerState: state,
                           finished: (counts?["completed"]?.int ?? 0) + (counts?["failed"]?.int ?? 0),
                           total: counts?["total"]?.int ?? 0, results: results)
    }

    /// `POST /v1/files` with the lines as a multipart file, `purpose=batch`; the file's id.
    private func upload(_ content: String) async throws(ProviderError) -> String {
        let boundary = "flow-" + UUID().uuidString
        var body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"batch.jsonl\"\r\n"
        body += "Content-Type: application/jsonl\r\n\r\n" + content + "\r\n--\(boundary)--\r\n"
        var upload = request("POST", "/files")
        upload.headers = [Header("Authorization", "Bearer " + apiKey), Header("Content-Type", "multipart/form-data; boundary=" + boundary)]
        upload.body = Array(body.utf8)
        guard let id = try await http.json(upload)["id"]?.string else {
            throw ProviderError(.decode, "OpenAI answered the batch file upload without a file id")
        }
        return id
    }

    private func request(_ method: String, _ path: String, json: JSON? = nil) -> HTTPRequest {
        var headers = [Header("Authorization", "Bearer " + apiKey)]
        if json != nil { headers.append(Header("Content-Type", "application/json")) }
        return HTTPRequest(method: method, url: baseURL + path, headers: headers, body: json.map { Array($0.serialized.utf8) } ?? [])
    }
}
