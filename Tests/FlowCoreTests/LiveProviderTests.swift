import Foundation
import Testing
@testable import FlowCore

/// Smoke tests against the real providers. They run only when the provider's key is set in the
/// environment (never in CI), and otherwise are skipped with the reason printed.
@Suite struct LiveProviderTests {
    static let environment = ProcessInfo.processInfo.environment

    static func hasKey(_ name: String) -> Bool { !(environment[name] ?? "").isEmpty }

    func ask(_ model: ModelRef) async throws -> ChatResponse {
        let registry = ProviderRegistry(environment: Self.environment, transport: URLSessionTransport(timeout: 60), mockReplies: [])
        let request = ChatRequest(model: model.name, messages: [ChatMessage(.user, "Reply with the single word: pong")],
                                  params: SamplingParams(maxTokens: 20))
        return try await registry.provider(for: model).complete(request)
    }

    @Test(.enabled(if: hasKey("OPENAI_API_KEY"), "OPENAI_API_KEY is not set: the live OpenAI smoke test is skipped"))
    func openAI() async throws {
        let response = try await ask(ModelRef(provider: "openai", name: Self.environment["FLOW_LIVE_OPENAI_MODEL"] ?? "gpt-4o-mini"))
        #expect(response.content.lowercased().contains("pong"))
        #expect(response.usage.inputTokens > 0)
    }

    @Test(.enabled(if: hasKey("ANTHROPIC_API_KEY"), "ANTHROPIC_API_KEY is not set: the live Anthropic smoke test is skipped"))
    func anthropic() async throws {
        let response = try await ask(ModelRef(provider: "anthropic", name: Self.environment["FLOW_LIVE_ANTHROPIC_MODEL"] ?? "claude-haiku-4-5"))
        #expect(response.content.lowercased().contains("pong"))
        #expect(response.finishReason == .stop(raw: "end_turn"))
    }

    @Test(.enabled(if: hasKey("GEMINI_API_KEY"), "GEMINI_API_KEY is not set: the live Gemini smoke test is skipped"))
    func gemini() async throws {
        let response = try await ask(ModelRef(provider: "gemini", name: Self.environment["FLOW_LIVE_GEMINI_MODEL"] ?? "gemini-2.5-flash"))
        #expect(response.usage.inputTokens > 0)
        #expect(response.finishReason.name == "stop" || response.finishReason.name == "length")
    }
}
