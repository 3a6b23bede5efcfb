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
        let provider = OpenAIProvider(adapter: OpenAIAdapter(baseURL: server.baseURL + "/v1"), apiKey: "sk-secret",
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

    @Test func httpErrorStatusCarriesTheProviderMessage() async throws {
        let server = try StubServer { _ in
            StubServer.Response(status: 429, body: OpenAIWire.error(message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded"))
        }
        defer { server.stop() }
        let provider = OpenAIProvider(adapter: OpenAIAdapter(baseURL: server.baseURL + "/v1"), apiKey: "k",
                                      transport: URLSessionTransport(timeout: 10))
        await #expect(throws: ProviderError(.http, "OpenAI answered HTTP 429: Rate limit reached (rate_limit_exceeded)", status: 429)) {
            try await provider.complete(ChatRequest(model: "m", messages: []))
        }
    }

    @Test func refusedConnectionIsANetworkErrorNamingOnlyTheOrigin() async throws {
        // Bind then stop a server to get a loopback port that nothing listens on.
        let server = try StubServer { _ in StubServer.Response(body: "") }
        let url = server.baseURL
        server.stop()
        let transport = URLSessionTransport(timeout: 5)
        do {
            _ = try await transport.send(HTTPRequest(method: "POST", url: url + "/v1/chat/completions?key=secret", headers: [], body: []))
            Issue.record("expected a network error")
        } catch {
            #expect(error.kind == .network)
            #expect(error.message.hasPrefix("could not reach \(url): "))
            #expect(!error.message.contains("secret"))
        }
    }
}
