import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// The batch clients' pure parts over bodies in each provider's documented format: states,
/// result lines (in any order, answers and errors), splitting at the limits, and where the key
/// may go.
@Suite struct BatchWireTests {
    static let http = BatchHTTP(adapter: OpenAIAdapter(), transport: UnusedTransport(), apiKey: "sk-test")

    @Test func openAIStatesAndCounts() throws {
        func status(_ state: String) throws -> BatchStatus {
            try OpenAIBatches.status(try JSON.parse(#"{"id": "batch_1", "object": "batch", "status": "\#(state)", "output_file_id": "file-o", "error_file_id": "file-e", "request_counts": {"total": 10, "completed": 7, "failed": 1}}"#))
        }
        for running in ["validating", "in_progress", "finalizing", "cancelling"] { #expect(try status(running).phase == .running) }
        #expect(try status("completed").phase == .ended)
        #expect(try status("failed").phase == .failed)
        #expect(try status("expired").phase == .expired)
        #expect(try status("cancelled").phase == .cancelled)
        let done = try status("completed")
        #expect(done.finished == 8 && done.total == 10 && done.results == ["file-o", "file-e"])
        #expect(throws: ProviderError.self) { try OpenAIBatches.status(try JSON.parse(#"{"object": "batch"}"#)) }
    }

    @Test func openAIResultLinesDecodeAsDirectAnswers() throws {
        let answered = try JSON.parse(#"{"id": "r1", "custom_id": "k1", "response": {"status_code": 200, "request_id": "req", "body": \#(OpenAIWire.completion(content: "hi", finishReason: "length"))}, "error": null}"#)
        let response = try OpenAIBatches.outcome(answered, http: Self.http).get()
        #expect(response.content == "hi" && response.finishReason.name == "length" && response.usage.inputTokens == 10)
        let refused = try JSON.parse(#"{"id": "r2", "custom_id": "k2", "response": {"status_code": 400, "body": \#(OpenAIWire.error(message: "bad model", type: "invalid_request_error", code: "model_not_found"))}, "error": null}"#)
        #expect(throws: ProviderError.self) { try OpenAIBatches.outcome(refused, http: Self.http).get() }
        let expired = try JSON.parse(#"{"id": "r3", "custom_id": "k3", "response": null, "error": {"code": "batch_expired", "message": "This request could not be executed before the completion window expired."}}"#)
        if case .failure(let error) = OpenAIBatches.outcome(expired, http: Self.http) {
            #expect(error.errorType == "batch_expired" && error.message.contains("completion window"))
        } else {
            Issue.record("an expired request has no answer")
        }
    }

    @Test func anthropicStatesAndResults() throws {
        let ended = try AnthropicBatches.status(try JSON.parse(#"{"id": "msgbatch_1", "type": "message_batch", "processing_status": "ended", "request_counts": {"processing": 0, "succeeded": 8, "errored": 1, "canceled": 0, "expired": 1}, "cancel_initiated_at": null, "results_url": "https://api.anthropic.com/v1/messages/batches/msgbatch_1/results"}"#))
        #expect(ended.phase == .ended && ended.finished == 10 && ended.total == 10)
        let cancelled = try AnthropicBatches.status(try JSON.parse(#"{"id": "msgbatch_2", "processing_status": "ended", "request_counts": {"processing": 0, "succeeded": 2, "errored": 0, "canceled": 3, "expired": 0}, "cancel_initiated_at": "2026-11-25T09:30:00Z", "results_url": null}"#))
        #expect(cancelled.phase == .cancelled && cancelled.results.isEmpty)
        let http = BatchHTTP(adapter: AnthropicAdapter(), transport: UnusedTransport(), apiKey: "k")
        let message = try JSON.parse(AnthropicWire.message(text: "hello", stopReason: "max_tokens"))
        let ok = try AnthropicBatches.outcome(.object([("type", .string("succeeded")), ("message", message)]), http: http).get()
        #expect(ok.content == "hello" && ok.finishReason.name == "length")
        let errored = try JSON.parse(#"{"type": "errored", "error": {"type": "error", "error": {"type": "invalid_request_error", "message": "max_tokens: field required"}}}"#)
        if case .failure(let error) = AnthropicBatches.outcome(errored, http: http) {
            #expect(error.errorType == "invalid_request_error" && error.message.contains("max_tokens: field required"))
        } else {
            Issue.record("an errored request has no answer")
        }
        #expect(throws: ProviderError.self) { try AnthropicBatches.outcome(try JSON.parse(#"{"type": "expired"}"#), http: http).get() }
    }

    @Test func geminiStatesAndInlineAnswersByKeyOrPosition() throws {
        let running = try GeminiBatches.status(try JSON.parse(#"{"name": "batches/7", "metadata": {"name": "batches/7", "state": "BATCH_STATE_PENDING", "batchStats": {"requestCount": "3"}}}"#), ids: [])
        #expect(running.id == "batches/7" && running.phase == .running && running.total == 3)
        for (state, phase) in [("BATCH_STATE_SUCCEEDED", BatchStatus.Phase.ended), ("BATCH_STATE_FAILED", .failed),
                               ("BATCH_STATE_CANCELLED", .cancelled), ("BATCH_STATE_EXPIRED", .expired), ("BATCH_STATE_RUNNING", .running)] {
            #expect(try GeminiBatches.status(try JSON.parse(#"{"name": "batches/7", "metadata": {"state": "\#(state)"}}"#), ids: []).phase == phase)
        }
        let http = BatchHTTP(adapter: GeminiAdapter(), transport: UnusedTransport(), apiKey: "k")
        let operation = try JSON.parse(#"{"name": "batches/7", "done": true, "response": {"inlinedResponses": {"inlinedResponses": [{"response": \#(GeminiWire.response(text: "first")), "metadata": {"key": "k1"}}, {"response": \#(GeminiWire.response(text: "second", finishReason: "MAX_TOKENS"))}, {"error": {"code": 400, "message": "bad request", "status": "INVALID_ARGUMENT"}, "metadata": {"key": "k3"}}]}}}"#)
        let answers = GeminiBatches.answers(operation, ids: ["k1", "k2", "k3"], http: http)
        #expect(try answers["k1"]?.get().content == "first")
        #expect(try answers["k2"]?.get().finishReason.name == "length", "an answer without its key is matched by position")
        if case .failure(let error)? = answers["k3"] { #expect(error.errorType == "INVALID_ARGUMENT") } else { Issue.record("k3 failed") }
    }

    @Test func aResultsURLOnAnotherHostNeverGetsTheKey() async throws {
        let asked = Locked(0)
        let transport = CountingTransport { asked.withLock { $0 += 1 } }
        let client = AnthropicBatches(adapter: AnthropicAdapter(baseURL: "https://api.anthropic.com"), apiKey: "sk-ant-secret", transport: transport)
        let status = BatchStatus(id: "msgbatch_1", phase: .ended, providerState: "ended", finished: 1, total: 1,
                                 results: ["https://collector.example/v1/messages/batches/msgbatch_1/results"])
        await #expect(throws: ProviderError.self) { _ = try await client.results(status, ids: []) }
        #expect(asked.current == 0, "nothing was sent")
    }

    @Test func batchesAreSplitAtTheProvidersLimits() throws {
        struct Small: BatchClient {
            var provider: ProviderName { "test" }
            var limits: (requests: Int, bytes: Int) { (3, 100) }
            func sizes(_ items: [BatchItem]) throws(ProviderError) -> [Int] { items.map { $0.request.messages[0].content.count } }
            func submit(_ items: [BatchItem]) async throws(ProviderError) -> BatchStatus { fatalError() }
            func status(_ id: String) async throws(ProviderError) -> BatchStatus { fatalError() }
            func results(_ status: BatchStatus, ids: [String]) async throws(ProviderError) -> [String: Result<ChatResponse, ProviderError>] { [:] }
            func cancel(_ id: String) async throws(ProviderError) -> BatchStatus { fatalError() }
        }
        let sizes = [10, 10, 10, 10, 60, 50, 10]
        let items = sizes.enumerated().map { BatchItem(customID: "k\($0.offset)", request: ChatRequest(model: "m", messages: [ChatMessage(.user, String(repeating: "x", count: $0.element))])) }
        let chunks = try Small().split(items).map { $0.map(\.customID) }
        // Three requests at most; 100 bytes at most.
        #expect(chunks == [["k0", "k1", "k2"], ["k3", "k4"], ["k5", "k6"]])
    }
}

/// A transport that counts what it is asked and answers nothing.
struct CountingTransport: HTTPTransport {
    let onSend: @Sendable () -> Void
    init(_ onSend: @escaping @Sendable () -> Void) { self.onSend = onSend }
    func send(_ request: HTTPRequest) async throws(ProviderError) -> HTTPResponse {
        onSend()
        throw ProviderError(.network, "no network in this test")
    }
}
