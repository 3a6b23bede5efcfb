import Foundation
import FlowCore

/// A loopback fake of OpenAI's Batch API (files, batches, file contents) and Anthropic's Message
/// Batches API, in their documented wire formats, on one stub server. Each request in a batch is
/// answered by `answer` (the request body the provider would get → text and finish reason, in
/// flow's words); a batch stays in progress for `pollsUntilDone` polls, then ends, its results
/// in reverse order (providers promise no order). Counts what was submitted, for the tests that
/// a resumed run pays once.
public final class FakeBatchAPI: Sendable {
    /// An answer: text and finish (`stop` or `length`).
    public typealias Answer = @Sendable (JSON) -> (text: String, finish: String)

    private let core: FakeBatchCore
    /// The server; its base URL is what OPENAI_BASE_URL (with /v1) and ANTHROPIC_BASE_URL point at.
    public let server: StubServer

    /// A fake answering with `answer`, ending each batch after `pollsUntilDone` polls.
    public init(pollsUntilDone: Int = 2, answer: @escaping Answer) throws {
        let core = FakeBatchCore(pollsUntilDone: pollsUntilDone, answer: answer)
        server = try StubServer(keepAlive: true) { request in core.handle(request) }
        core.setBase(server.baseURL)
        self.core = core
    }

    deinit { server.stop() }

    /// The provider of each batch submitted so far, in order.
    public var submitted: [String] { core.submitted }

    /// The requests of every batch submitted so far.
    public var requestsSubmitted: Int { core.requestsSubmitted }
}

/// The fake's state and routes, apart from the server so the server's handler can hold it.
final class FakeBatchCore: Sendable {
    typealias Answer = FakeBatchAPI.Answer

    private struct Batch {
        var provider: String
        var items: [(id: String, body: JSON)]
        var polls = 0
        var cancelled = false
    }

    private struct State {
        var files: [String: String] = [:]
        var batches: [String: Batch] = [:]
        var next = 0
        var baseURL = ""
        var submitted: [String] = []
    }

    private let state = Locked(State())
    private let answer: Answer
    private let pollsUntilDone: Int

    init(pollsUntilDone: Int, answer: @escaping Answer) {
        self.answer = answer
        self.pollsUntilDone = pollsUntilDone
    }

    func setBase(_ base: String) { state.withLock { $0.baseURL = base } }
    var submitted: [String] { state.current.submitted }
    var requestsSubmitted: Int { state.current.batches.values.reduce(0) { $0 + $1.items.count } }

    func handle(_ request: StubServer.Request) -> StubServer.Response {
        let path = request.path.split(separator: "?").first.map(String.init) ?? request.path
        let parts = path.split(separator: "/").map(String.init)
        let post = request.method == "POST"
        switch parts.count {
        case 2 where post && parts == ["v1", "files"]: return upload(request)
        case 2 where post && parts == ["v1", "batches"]: return createOpenAI(request)
        case 3 where !post && parts[0] == "v1" && parts[1] == "batches": return openAIStatus(parts[2], poll: true)
        case 4 where post && parts[1] == "batches" && parts[3] == "cancel": return cancel(parts[2], openAI: true)
        case 4 where !post && parts[1] == "files" && parts[3] == "content":
            guard let content = state.current.files[parts[2]] else { return Self.notFound }
            return StubServer.Response(headers: [("Content-Type", "application/jsonl")], body: content)
        case 3 where post && parts == ["v1", "messages", "batches"]: return createAnthropic(request)
        case 4 where !post && parts[1] == "messages": return anthropicStatus(parts[3], poll: true)
        case 5 where post && parts[1] == "messages" && parts[4] == "cancel": return cancel(parts[3], openAI: false)
        case 5 where !post && parts[1] == "messages" && parts[4] == "results": return anthropicResults(parts[3])
        case 3 where post && parts[0] == "v1beta" && parts[2].hasSuffix(":batchGenerateContent"): return createGemini(request)
        case 3 where !post && parts[0] == "v1beta" && parts[1] == "batches": return geminiStatus("batches/" + parts[2], poll: true)
        case 3 where post && parts[0] == "v1beta" && parts[2].hasSuffix(":cancel"):
            return cancel("batches/" + parts[2].dropLast(":cancel".count), openAI: false, gemini: true)
        default: return Self.notFound
        }
    }

    static let notFound = StubServer.Response(status: 404, body: OpenAIWire.error(message: "not found", type: "invalid_request_error", code: nil))

    /// The file part of a multipart upload, as OpenAI's /v1/files receives it.
    private func upload(_ request: StubServer.Request) -> StubServer.Response {
        let text = request.bodyText
        guard text.contains("name=\"purpose\"\r\n\r\nbatch\r\n"), let header = text.range(of: "filename=\"batch.jsonl\""),
              let start = text.range(of: "\r\n\r\n", range: header.upperBound..<text.endIndex),
              let type = request.headers["content-type"], let boundary = type.components(separatedBy: "boundary=").last,
              let end = text.range(of: "\r\n--" + boundary + "--", range: start.upperBound..<text.endIndex) else {
            return StubServer.Response(status: 400, body: OpenAIWire.error(message: "bad upload", type: "invalid_request_error", code: nil))
        }
        let id = state.withLock { state -> String in
            state.next += 1
            state.files["file-\(state.next)"] = String(text[start.upperBound..<end.lowerBound])
            return "file-\(state.next)"
        }
        return StubServer.Response(body: #"{"id": "\#(id)", "object": "file", "purpose": "batch", "bytes": 0}"#)
    }

    private func createOpenAI(_ request: StubServer.Request) -> StubServer.Response {
        guard let body = try? JSON.parse(request.body), let file = body["input_file_id"]?.string,
              body["endpoint"]?.string == "/v1/chat/completions", body["completion_window"]?.string == "24h",
              let content = state.current.files[file] else {
            return StubServer.Response(status: 400, body: OpenAIWire.error(message: "bad batch", type: "invalid_request_error", code: nil))
        }
        var items: [(String, JSON)] = []
        for line in content.split(separator: "\n") {
            guard let json = try? JSON.parse(String(line)), let id = json["custom_id"]?.string, json["method"]?.string == "POST",
                  json["url"]?.string == "/v1/chat/completions", let body = json["body"] else {
                return StubServer.Response(status: 400, body: OpenAIWire.error(message: "bad line", type: "invalid_request_error", code: nil))
            }
            items.append((id, body))
        }
        let id = add(Batch(provider: "openai", items: items))
        return openAIStatus(id, poll: false)
    }

    private func createAnthropic(_ request: StubServer.Request) -> StubServer.Response {
        guard request.headers["x-api-key"] != nil, let body = try? JSON.parse(request.body), let requests = body["requests"]?.array else {
            return StubServer.Response(status: 400, body: AnthropicWire.error(type: "invalid_request_error", message: "bad batch"))
        }
        let items = requests.compactMap { entry in entry["custom_id"]?.string.flatMap { id in entry["params"].map { (id, $0) } } }
        let id = add(Batch(provider: "anthropic", items: items))
        return anthropicStatus(id, poll: false)
    }

    private func createGemini(_ request: StubServer.Request) -> StubServer.Response {
        guard request.headers["x-goog-api-key"] != nil, let body = try? JSON.parse(request.body),
              let requests = body["batch"]?["inputConfig"]?["requests"]?["requests"]?.array else {
            return StubServer.Response(status: 400, body: #"{"error": {"code": 400, "message": "bad batch", "status": "INVALID_ARGUMENT"}}"#)
        }
        let items = requests.compactMap { entry in entry["metadata"]?["key"]?.string.flatMap { id in entry["request"].map { (id, $0) } } }
        return geminiStatus(add(Batch(provider: "gemini", items: items)), poll: false)
    }

    /// The operation; when done, the answers inline in request order, every other one without its
    /// key (as users report the service does), so clients must match by position too.
    private func geminiStatus(_ id: String, poll counting: Bool) -> StubServer.Response {
        guard let (batch, done) = poll(id, count: counting) else { return Self.notFound }
        let state = batch.cancelled ? "BATCH_STATE_CANCELLED" : done ? "BATCH_STATE_SUCCEEDED" : "BATCH_STATE_RUNNING"
        var response = ""
        if done, !batch.cancelled {
            let answers = batch.items.enumerated().map { index, item -> String in
                let (text, finish) = answer(item.body)
                let metadata = index % 2 == 0 ? #", "metadata": {"key": "\#(item.id)"}"# : ""
                return #"{"response": \#(GeminiWire.response(text: text, finishReason: finish == "length" ? "MAX_TOKENS" : "STOP"))\#(metadata)}"#
            }
            response = #", "done": true, "response": {"@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput", "inlinedResponses": {"inlinedResponses": [\#(answers.joined(separator: ","))]}}"#
        }
        let finished = done ? batch.items.count : 0
        return StubServer.Response(body: """
            {"name": "\(id)", "metadata": {"@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
             "name": "\(id)", "displayName": "flow", "state": "\(state)",
             "batchStats": {"requestCount": "\(batch.items.count)", "successfulRequestCount": "\(finished)"}}\(response)}
            """)
    }

    private func add(_ batch: Batch) -> String {
        state.withLock { state in
            state.next += 1
            let id = (batch.provider == "openai" ? "batch_" : batch.provider == "gemini" ? "batches/" : "msgbatch_") + "\(state.next)"
            state.batches[id] = batch
            state.submitted.append(batch.provider)
            return id
        }
    }

    /// Polls the batch; when it is done, its results (reversed) as the provider gives them.
    private func poll(_ id: String, count: Bool) -> (batch: Batch, done: Bool)? {
        state.withLock { state in
            guard var batch = state.batches[id] else { return nil }
            if count { batch.polls += 1 }
            state.batches[id] = batch
            return (batch, batch.cancelled || batch.polls >= pollsUntilDone)
        }
    }

    private func openAIStatus(_ id: String, poll counting: Bool) -> StubServer.Response {
        guard let (batch, done) = poll(id, count: counting) else { return Self.notFound }
        var output = "null"
        if done {
            let lines = batch.items.reversed().map { item -> String in
                let (text, finish) = answer(item.body)
                return #"{"id": "batch_req_\#(item.id.prefix(8))", "custom_id": "\#(item.id)", "response": {"status_code": 200, "request_id": "req_x", "body": \#(OpenAIWire.completion(content: text, finishReason: finish))}, "error": null}"#
            }
            let file = "file-out-" + id
            state.withLock { $0.files[file] = lines.joined(separator: "\n") + "\n" }
            output = "\"\(file)\""
        }
        let status = batch.cancelled ? "cancelled" : done ? "completed" : batch.polls == 0 ? "validating" : "in_progress"
        let finished = done ? batch.items.count : batch.items.count * batch.polls / max(1, pollsUntilDone + 1)
        return StubServer.Response(body: """
            {"id": "\(id)", "object": "batch", "endpoint": "/v1/chat/completions", "errors": null, "input_file_id": "file-in",
             "completion_window": "24h", "status": "\(status)", "output_file_id": \(output), "error_file_id": null,
             "request_counts": {"total": \(batch.items.count), "completed": \(finished), "failed": 0}}
            """)
    }

    private func anthropicStatus(_ id: String, poll counting: Bool) -> StubServer.Response {
        guard let (batch, done) = poll(id, count: counting) else { return Self.notFound }
        let base = state.current.baseURL
        let finished = done ? batch.items.count : batch.items.count * batch.polls / max(1, pollsUntilDone + 1)
        return StubServer.Response(body: """
            {"id": "\(id)", "type": "message_batch", "processing_status": "\(done ? "ended" : "in_progress")",
             "request_counts": {"processing": \(batch.items.count - finished), "succeeded": \(finished), "errored": 0, "canceled": 0, "expired": 0},
             "ended_at": \(done ? "\"2026-11-25T10:00:00Z\"" : "null"), "created_at": "2026-11-25T09:00:00Z",
             "expires_at": "2026-11-26T09:00:00Z", "cancel_initiated_at": \(batch.cancelled ? "\"2026-11-25T09:30:00Z\"" : "null"),
             "results_url": \(done ? "\"\(base)/v1/messages/batches/\(id)/results\"" : "null")}
            """)
    }

    private func anthropicResults(_ id: String) -> StubServer.Response {
        guard let batch = state.current.batches[id] else { return Self.notFound }
        let lines = batch.items.reversed().map { item -> String in
            let (text, finish) = answer(item.body)
            return #"{"custom_id": "\#(item.id)", "result": {"type": "succeeded", "message": \#(AnthropicWire.message(text: text, stopReason: finish == "length" ? "max_tokens" : "end_turn"))}}"#
        }
        return StubServer.Response(headers: [("Content-Type", "application/binary")], body: lines.joined(separator: "\n") + "\n")
    }

    private func cancel(_ id: String, openAI: Bool, gemini: Bool = false) -> StubServer.Response {
        state.withLock { state in state.batches[id]?.cancelled = true }
        if gemini { return geminiStatus(id, poll: false) }
        return openAI ? openAIStatus(id, poll: false) : anthropicStatus(id, poll: false)
    }
}
