import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// A flaky or dead provider must not turn a test run into minutes of waiting.
@Suite struct RetryStormTests {
    static func workflow(cases: Int) -> String {
        """
        flow: 1
        model: openai/gpt-4o-mini
        vars: {n: "0"}
        steps: [{id: ask, user: "case {{n}}"}]
        tests:
        \((1...cases).map { "  - {name: c\($0), vars: {n: \"\($0)\"}, expect: [{contains: fine}]}" }.joined(separator: "\n"))
        """
    }

    @Test func aDeadServerOpensTheCircuitAndTheRestFailFast() throws {
        let refusing = try RefusingPort()
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", Self.workflow(cases: 40))
        let result = try FlowBinary.run(["test", "w.yaml", "--live", "--json", "-j", "4"], in: directory.path, environment: [
            "OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": refusing.baseURL + "/v1", "FLOW_RETRY_BASE_DELAY": "0.2",
        ])
        #expect(result.status == 69)
        let cases = try JSON.parse(result.stdout)["cases"]?.array ?? []
        #expect(cases.count == 40)
        let open = cases.filter { ($0["provider_error"]?.string ?? "").contains("circuit breaker open") }
        // Without the breaker each case would retry 3 times with backoff (0.2 + 0.4 + 0.8 s).
        #expect(open.count >= 30, "most cases failed at once with the breaker's message (\(open.count) of 40)")
    }

    @Test func aRateLimitWithoutAWaitSlowsOnlyItsWorker() async throws {
        let gate = RateGate()
        let calls = Locked(0)
        let transport = ScriptedTransport { _ in
            let n = calls.withLock { value -> Int in value += 1; return value }
            return n == 1 ? HTTPResponse(status: 429, body: Array(OpenAIWire.error(message: "slow", type: "requests", code: "rate_limit_exceeded").utf8))
                          : HTTPResponse(status: 200, body: Array(OpenAIWire.completion(content: "fine").utf8))
        }
        let provider = HTTPProvider(adapter: OpenAIAdapter(), apiKey: "k", transport: transport,
                                    retry: RetryPolicy(maxRetries: 3, baseDelay: 0.01), onRetry: nil, gate: gate)
        _ = try await provider.complete(ChatRequest(model: "gpt-4o-mini", messages: [ChatMessage(.user, "hi")], params: SamplingParams()))
        #expect(await gate.isPaused == false, "a 429 that names no wait does not hold every worker")

        let named = ScriptedTransport { _ in
            HTTPResponse(status: 429, headers: ["retry-after": "5"],
                         body: Array(OpenAIWire.error(message: "slow", type: "requests", code: "rate_limit_exceeded").utf8))
        }
        let paused = HTTPProvider(adapter: OpenAIAdapter(), apiKey: "k", transport: named,
                                  retry: RetryPolicy(maxRetries: 0, baseDelay: 0.01), onRetry: nil, gate: gate)
        _ = try? await paused.complete(ChatRequest(model: "gpt-4o-mini", messages: [ChatMessage(.user, "hi")], params: SamplingParams()))
        #expect(await gate.isPaused == false, "no retry left: nothing to wait for")
    }

    @Test func theBreakerClosesAgainOnAnAnswer() async {
        let gate = RateGate(threshold: 3)
        #expect(await gate.unreachable() == nil)
        #expect(await gate.unreachable() == nil)
        await gate.reached()
        #expect(await gate.unreachable() == nil, "the count starts over after an answer")
        #expect(await gate.unreachable() == nil)
        #expect(await gate.unreachable()?.message.contains("circuit breaker open") == true)
        #expect(await gate.openCircuit() != nil)
    }
}

/// A transport answering from a closure, for provider tests without a socket.
struct ScriptedTransport: HTTPTransport {
    let answer: @Sendable (HTTPRequest) -> HTTPResponse
    init(_ answer: @escaping @Sendable (HTTPRequest) -> HTTPResponse) { self.answer = answer }
    func send(_ request: HTTPRequest) async throws(ProviderError) -> HTTPResponse { answer(request) }
}
