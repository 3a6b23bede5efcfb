import FlowSource
import FlowYAML
import Testing
@testable import FlowCore

/// `top_k`, `presence_penalty` and `frequency_penalty`: decoded with their ranges, sent under each
/// provider's name, and refused before sending where a provider has no such parameter.
@Suite struct SamplingParamTests {
    static let params = SamplingParams(maxTokens: 64, topK: 40, presencePenalty: 0.5, frequencyPenalty: -1)
    static let request = ChatRequest(model: "m", messages: [ChatMessage(.user, "Hi")], params: params)

    func decode(_ text: String) throws -> Workflow { try WorkflowText.decode(text) }

    @Test func decodedWithTheirRanges() throws {
        let workflow = try decode("""
            flow: 1
            model: gemini/gemini-2.5-flash
            params: {max_tokens: 64, top_k: 40, presence_penalty: 0.5, frequency_penalty: -1}
            steps: [{id: a, user: hi, params: {top_k: 3}}]
            """)
        #expect(workflow.params == Self.params)
        #expect(workflow.params.merged(with: workflow.steps[0].params).topK == 3)
        let wrong = """
            flow: 1
            model: gemini/gemini-2.5-flash
            params: {top_k: 0, presence_penalty: 2.5}
            steps: [{id: a, user: hi}]
            """
        #expect(throws: DiagnosticList.self) { try decode(wrong) }
        do {
            _ = try decode(wrong)
        } catch {
            let text = "\(error)"
            #expect(text.contains("w.yaml:3:17: error: 'top_k' must be a positive integer, got an integer '0'"), "\(text)")
            #expect(text.contains("w.yaml:3:38: error: 'presence_penalty' must be between -2 and 2, got 2.5"), "\(text)")
        }
    }

    @Test func openAISendsPenaltiesAndRefusesTopK() throws {
        let openai = OpenAIAdapter()
        var penalties = Self.request
        penalties.params.topK = nil
        #expect(openai.body(for: penalties).serialized == #"{"model":"m","messages":[{"role":"user","content":"Hi"}],"max_completion_tokens":64,"presence_penalty":0.5,"frequency_penalty":-1.0}"#)
        #expect(throws: ProviderError(.configuration, "OpenAI has no top_k parameter: remove 'top_k' from the params of steps on openai/… (top_p is the nearest)")) {
            try openai.check(Self.request)
        }
        // Reasoning models take no penalties either.
        penalties.model = "o3-mini"
        #expect(throws: ProviderError(.configuration, "o3-mini is a reasoning model and rejects presence_penalty and frequency_penalty: remove it from the step's params")) {
            try openai.check(penalties)
        }
    }

    @Test func compatibleServersGetTopKAsVLLMAndLlamaCppReadIt() throws {
        let compatible = OpenAIAdapter(providerName: "local", baseURL: "http://localhost:8000/v1", maxTokensField: .maxTokens)
        try compatible.check(Self.request)
        #expect(compatible.body(for: Self.request).serialized == #"{"model":"m","messages":[{"role":"user","content":"Hi"}],"max_tokens":64,"top_k":40,"presence_penalty":0.5,"frequency_penalty":-1.0}"#)
    }

    @Test func anthropicSendsTopKAndRefusesPenalties() throws {
        let anthropic = AnthropicAdapter()
        #expect(throws: ProviderError(.configuration, "Anthropic has no presence_penalty or frequency_penalty: remove it from the params of steps on anthropic/…")) {
            try anthropic.check(Self.request)
        }
        var topK = Self.request
        topK.params.presencePenalty = nil
        topK.params.frequencyPenalty = nil
        try anthropic.check(topK)
        #expect(try anthropic.body(for: topK).serialized == #"{"model":"m","max_tokens":64,"messages":[{"role":"user","content":"Hi"}],"top_k":40}"#)
    }

    @Test func geminiTakesAllThree() throws {
        let gemini = GeminiAdapter()
        try gemini.check(Self.request)
        #expect(try gemini.body(for: Self.request)["generationConfig"]?.serialized == #"{"topK":40,"presencePenalty":0.5,"frequencyPenalty":-1.0,"maxOutputTokens":64}"#)
    }

    @Test func recordedAndKeyedOnlyWhenSet() {
        #expect(Cassette.params(SamplingParams(maxTokens: 64)).serialized == #"{"max_tokens":64}"#)
        #expect(Cassette.params(Self.params).serialized == #"{"max_tokens":64,"top_k":40,"presence_penalty":0.5,"frequency_penalty":-1.0}"#)
    }
}
