import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// The real URLSession transport and the OpenAI provider against the loopback stub server.
@Suite struct TransportTests {
    @Test func openAIRoundTripOverHTTP() async throws {
        let server = try StubServer { _ in
            StubServer.Response(body: OpenAIWire.completion(content: "pong", promptTokens: 7, completionTokens: 1))
        }
        defer { server.stop() }
        let provider = HTTPProvider(adapter: OpenAIAdapter(baseURL: server.baseURL + "/v1"), apiKey: "sk-secret",
                                      transport: URLSessionTransport(timeout: 10))
        let response = try await provider.complete(ChatRequest(model: "gpt-4o-mini", messages: [ChatMessage(.user, "ping")],
                                                               params: SamplingParams(maxTokens: 5)))
        #expect(response == ChatResponse(content: "pong", finishReason: .stop(raw: "stop"),
                                         usage: Usage(inputTokens: 7, outputTokens: 1), model: "gpt-4o-mini-2024-07-18"))
        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/v1/chat/completions")
        #expect(request.headers["authorization"] == "Bearer sk-secret")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.bodyText == #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"ping"}],"max_completion_tokens":5}"#)
    }

    @Test func serverErrorRetriesHonourRetryAfterAndRecordEachAttempt() async throws {
        let calls = Counter()
        let server = try StubServer { _ in
            calls.increment() <= 2
                ? StubServer.Response(status: 503, headers: [("Content-Type", "application/json"), ("retry-after-ms", "20"), ("x-request-id", "req_1")],
                                      body: OpenAIWire.error(message: "Overloaded", type: "server_error", code: nil))
                : StubServer.Response(body: OpenAIWire.completion(content: "ok"))
        }
        defer { server.stop() }
        let attempts = Recorder<RetryAttempt>()
        let provider = HTTPProvider(adapter: OpenAIAdapter(baseURL: server.baseURL + "/v1"), apiKey: "k",
                                    transport: URLSessionTransport(timeout: 10), retry: RetryPolicy(maxRetries: 3, baseDelay: 0.01),
                                    onRetry: { attempts.append($0) })
        let response = try await provider.complete(ChatRequest(model: "m", messages: []))
        #expect(response.content == "ok")
        #expect(server.requests.count == 3)
        #expect(attempts.items.map(\.attempt) == [1, 2])
        #expect(attempts.items.map(\.delay) == [0.02, 0.02])
        #expect(attempts.items.first?.error == ProviderError(.http, "OpenAI answered HTTP 503: Overloaded (server_error)",
                                                            status: 503, errorType: "server_error", requestId: "req_1",
                                                            retryable: true, retryAfter: 0.02))
    }

    @Test func permanentErrorsAreNotRetried() async throws {
        let server = try StubServer { request in
            request.path.hasSuffix("quota")
                ? StubServer.Response(status: 429, body: OpenAIWire.error(message: "You exceeded your current quota", type: "insufficient_quota", code: "insufficient_quota"))
                : StubServer.Response(status: 401, body: OpenAIWire.error(message: "Incorrect API key", type: "invalid_request_error", code: "invalid_api_key"))
        }
        defer { server.stop() }
        for base in ["/v1", "/quota"] {
            let provider = HTTPProvider(adapter: OpenAIAdapter(baseURL: server.baseURL + base), apiKey: "k",
                                        transport: URLSessionTransport(timeout: 10), retry: RetryPolicy(maxRetries: 3, baseDelay: 0.01))
            do {
                _ = try await provider.complete(ChatRequest(model: "m", messages: []))
                Issue.record("expected an error")
            } catch {
                #expect(!error.retryable)
            }
        }
        #expect(server.requests.count == 2)
    }

    @Test func retriesStopAfterTheLimit() async throws {
        let server = try StubServer { _ in StubServer.Response(status: 503, body: "") }
        defer { server.stop() }
        let provider = HTTPProvider(adapter: AnthropicAdapter(baseURL: server.baseURL), apiKey: "k",
                                    transport: URLSessionTransport(timeout: 10), retry: RetryPolicy(maxRetries: 2, baseDelay: 0.01))
        await #expect(throws: ProviderError(.http, "Anthropic answered HTTP 503", status: 503, retryable: true)) {
            try await provider.complete(ChatRequest(model: "claude-haiku-4-5", messages: [], params: SamplingParams(maxTokens: 5)))
        }
        #expect(server.requests.count == 3)
    }

    @Test func refusedConnectionIsANetworkErrorNamingOnlyTheOrigin() async throws {
        let refusing = try RefusingPort()
        let url = refusing.baseURL
        let transport = URLSessionTransport(timeout: 5)
        do {
            _ = try await transport.send(HTTPRequest(method: "POST", url: url + "/v1/chat/completions?key=secret", headers: [], body: []))
            Issue.record("expected a network error")
        } catch {
            #expect(error.kind == .network)
            #expect(error.message == "could not connect to \(url): the connection was refused")
            #expect(error.isConnectionRefused)
            #expect(!error.message.contains("secret"))
        }
    }
}

/// Thread-safe helpers for closures the stub server and providers call.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}

final class Recorder<Item: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Item] = []

    func append(_ item: Item) {
        lock.lock()
        stored.append(item)
        lock.unlock()
    }

    var items: [Item] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
