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

    static func limited(_ headers: [String: String] = [:], code: String = "rate_limit_exceeded") -> HTTPResponse {
        HTTPResponse(status: 429, headers: headers, body: Array(OpenAIWire.error(message: "slow down", type: "requests", code: code).utf8))
    }

    static let fine = HTTPResponse(status: 200, body: Array(OpenAIWire.completion(content: "fine").utf8))
    static let request = ChatRequest(model: "gpt-4o-mini", messages: [ChatMessage(.user, "hi")], params: SamplingParams())

    @Test func rateLimitsAreWaitedOutWithoutSpendingRetries() async throws {
        let calls = Locked(0)
        let transport = ScriptedTransport { _ in
            let n = calls.withLock { value -> Int in value += 1; return value }
            return n <= 5 ? Self.limited(n == 5 ? ["retry-after-ms": "150"] : [:]) : Self.fine
        }
        let gate = RateGate()
        let waits = Locked<[RateWait]>([])
        // No retries at all: five 429s in a row are still waited out.
        let provider = HTTPProvider(adapter: OpenAIAdapter(), apiKey: "k", transport: transport, retry: RetryPolicy(maxRetries: 0, baseDelay: 0.01),
                                    onWait: { wait in waits.withLock { $0.append(wait) } }, gate: gate)
        let started = ContinuousClock.now
        let answer = try await provider.complete(Self.request)
        #expect(answer.content == "fine")
        #expect(calls.current == 6)
        #expect(gate.stats.current.limited == 5)
        let limited = waits.current.filter { $0.reason == .rateLimited }
        #expect(limited.count == 5 && limited.allSatisfy { $0.status == 429 })
        #expect(limited.last?.seconds == 0.15, "the provider's own wait is kept")
        #expect(ContinuousClock.now - started >= .milliseconds(150), "and waited out (the gate held the request)")
    }

    @Test func anExhaustedQuotaFailsAtOnce() async throws {
        let calls = Locked(0)
        let transport = ScriptedTransport { _ in
            calls.withLock { $0 += 1 }
            return Self.limited(["retry-after": "30"], code: "insufficient_quota")
        }
        let provider = HTTPProvider(adapter: OpenAIAdapter(), apiKey: "k", transport: transport, retry: RetryPolicy(maxRetries: 3, baseDelay: 0.01),
                                    gate: RateGate())
        await #expect(throws: ProviderError.self) { try await provider.complete(Self.request) }
        #expect(calls.current == 1, "a quota does not come back by waiting")
    }

    @Test func aRequestStopsWaitingAtMaxWait() async throws {
        let transport = ScriptedTransport { _ in Self.limited(["retry-after-ms": "100"]) }
        var policy = RetryPolicy(maxRetries: 3, baseDelay: 0.01)
        policy.maxWait = 0.35
        let provider = HTTPProvider(adapter: OpenAIAdapter(), apiKey: "k", transport: transport, retry: policy, gate: RateGate())
        do {
            _ = try await provider.complete(Self.request)
            Issue.record("a provider that never lifts its limit must fail the request")
        } catch {
            #expect(error.status == 429)
            #expect(error.message.contains("still rate-limited after waiting") && error.message.contains("--max-wait"), "\(error.message)")
        }
    }

    @Test func theBreakerClosesAgainOnAnAnswer() async throws {
        let gate = RateGate(threshold: 3)
        #expect(await gate.unreachable() == nil)
        #expect(await gate.unreachable() == nil)
        // An answer (settled through the gate, as every request is) means the server is back.
        let admission = try await gate.admit(model: "m", tokens: 0)
        await gate.settle(admission, .answered([:]), model: "m")
        #expect(await gate.unreachable() == nil, "the count starts over after an answer")
        #expect(await gate.unreachable() == nil)
        #expect(await gate.unreachable()?.message.contains("circuit breaker open") == true)
        #expect(await gate.openCircuit() != nil)
    }
}

