import FlowSource
import FlowYAML
import Testing
@testable import FlowCore

/// `reasoning:` in params: decoded, sent in each provider's form, refused before sending where a
/// model has no reasoning or a provider's rules forbid the combination; thinking kept apart from
/// the answer and sent back unchanged in tool loops.
@Suite struct ReasoningTests {
    static func workflow(_ params: String) -> String { "flow: 1\nmodel: mock/m\nparams: \(params)\nsteps: [{id: a, user: hi}]\n" }
    func decode(_ params: String) throws -> SamplingParams { try WorkflowText.decode(Self.workflow(params)).params }
    func problems(_ params: String) -> String { WorkflowText.problems(Self.workflow(params)) }

    func request(_ model: String, _ params: SamplingParams) -> ChatRequest {
        ChatRequest(model: model, messages: [ChatMessage(.user, "Hi")], params: params)
    }

    @Test func decodedAndCheckedAtValidation() throws {
        #expect(try decode("{reasoning: {effort: low}}").reasoning == Reasoning(effort: .low))
        #expect(try decode("{max_tokens: 4000, reasoning: {budget_tokens: 2048}}").reasoning == Reasoning(budgetTokens: 2048))
        #expect(problems("{reasoning: {effort: hgih}}").contains("w.yaml:3:30: error: 'effort' must be low, medium or high, got 'hgih'"))
        #expect(problems("{reasoning: {effort: hgih}}").contains("did you mean 'high'?"))
        #expect(problems("{reasoning: {}}").contains("'reasoning' needs 'effort' or 'budget_tokens'"))
        #expect(problems("{reasoning: {budget: 10}}").contains("unknown key 'budget' in reasoning"))
        #expect(problems("{reasoning: {budget_tokens: -1}}").contains("'budget_tokens' must be a positive integer"))
    }

    @Test func openAITakesAnEffortOnReasoningModels() throws {
        let openai = OpenAIAdapter()
        let effort = request("o4-mini", SamplingParams(maxTokens: 500, reasoning: Reasoning(effort: .high)))
        try openai.check(effort)
        #expect(openai.body(for: effort).serialized == #"{"model":"o4-mini","messages":[{"role":"user","content":"Hi"}],"max_completion_tokens":500,"reasoning_effort":"high"}"#)
        #expect(throws: ProviderError(.configuration, "openai/gpt-4o-mini is not a reasoning model and takes no reasoning effort: remove 'reasoning', or use o3, o4-mini or gpt-5")) {
            try openai.check(request("gpt-4o-mini", SamplingParams(reasoning: Reasoning(effort: .low))))
        }
        #expect(throws: ProviderError(.configuration, "openai/o3 takes a reasoning effort, not budget_tokens: use reasoning: {effort: low|medium|high}")) {
            try openai.check(request("o3", SamplingParams(reasoning: Reasoning(budgetTokens: 2048))))
        }
    }

    @Test func anthropicThinksWithinABudgetByItsRules() throws {
        let anthropic = AnthropicAdapter()
        let thinking = request("claude-sonnet-4-5", SamplingParams(maxTokens: 4096, reasoning: Reasoning(budgetTokens: 2048)))
        try anthropic.check(thinking)
        #expect(try anthropic.body(for: thinking).serialized == #"{"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":"Hi"}],"thinking":{"type":"enabled","budget_tokens":2048}}"#)
        let refusals: [(ChatRequest, String)] = [
            (request("claude-3-5-haiku-latest", thinking.params),
             "anthropic/claude-3-5-haiku-latest has no extended thinking: remove 'reasoning', or use Claude 3.7 Sonnet or a Claude 4 model"),
            (request("claude-sonnet-4-5", SamplingParams(maxTokens: 4096, reasoning: Reasoning(effort: .high))),
             "anthropic/claude-sonnet-4-5 thinks within a token budget, not an effort: use reasoning: {budget_tokens: N} (at least 1024, less than max_tokens)"),
            (request("claude-sonnet-4-5", SamplingParams(maxTokens: 4096, reasoning: Reasoning(budgetTokens: 512))),
             "anthropic/claude-sonnet-4-5 takes a thinking budget of at least 1024 tokens; the step asks for 512"),
            (request("claude-sonnet-4-5", SamplingParams(maxTokens: 2048, reasoning: Reasoning(budgetTokens: 2048))),
             "anthropic/claude-sonnet-4-5's thinking budget (2048) must be less than max_tokens (2048): raise max_tokens or lower budget_tokens"),
            (request("claude-sonnet-4-5", SamplingParams(temperature: 0, topP: 0.9, maxTokens: 4096, reasoning: Reasoning(budgetTokens: 2048))),
             "anthropic/claude-sonnet-4-5 takes no temperature or top_p below 0.95 while thinking: remove it from the step's params"),
        ]
        for (refused, message) in refusals {
            #expect(throws: ProviderError(.configuration, message)) { try anthropic.check(refused) }
        }
        var prefilled = thinking
        prefilled.prefill = "Answer:"
        #expect(throws: ProviderError(.configuration, "anthropic/claude-sonnet-4-5 takes no prefill while thinking: remove 'prefill' or 'reasoning'")) {
            try anthropic.check(prefilled)
        }
        // top_p from 0.95 to 1 is allowed.
        try anthropic.check(request("claude-sonnet-4-5", SamplingParams(topP: 0.95, maxTokens: 4096, reasoning: Reasoning(budgetTokens: 2048))))
    }

    @Test func geminiTakesABudgetOn2point5AndALevelFrom3() throws {
        let gemini = GeminiAdapter()
        let budget = request("gemini-2.5-flash", SamplingParams(reasoning: Reasoning(budgetTokens: 1024)))
        try gemini.check(budget)
        #expect(try gemini.body(for: budget)["generationConfig"]?.serialized == #"{"thinkingConfig":{"thinkingBudget":1024}}"#)
        let level = request("gemini-3-pro-preview", SamplingParams(reasoning: Reasoning(effort: .low)))
        try gemini.check(level)
        #expect(try gemini.body(for: level)["generationConfig"]?.serialized == #"{"thinkingConfig":{"thinkingLevel":"low"}}"#)
        #expect(throws: ProviderError(.configuration, "gemini/gemini-2.0-flash has no thinking to control: remove 'reasoning', or use Gemini 2.5 or later")) {
            try gemini.check(request("gemini-2.0-flash", budget.params))
        }
        #expect(throws: ProviderError(.configuration, "gemini/gemini-2.5-pro takes a thinking budget, not an effort: use reasoning: {budget_tokens: N}")) {
            try gemini.check(request("gemini-2.5-pro", level.params))
        }
        #expect(throws: ProviderError(.configuration, "gemini/gemini-3-pro-preview takes a thinking level or a budget, not both: keep 'effort' or 'budget_tokens'")) {
            try gemini.check(request("gemini-3-pro-preview", SamplingParams(reasoning: Reasoning(effort: .high, budgetTokens: 2048))))
        }
    }

    /// Anthropic's documented shape: a signed thinking block before the tool call it led to.
    static let thinkingThenTool = #"""
        {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[
          {"type":"thinking","thinking":"The user wants the weather; I should call the tool.","signature":"EqQBCgIYAhIMsig"},
          {"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix"},
          {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}],
         "stop_reason":"tool_use","usage":{"input_tokens":50,"output_tokens":30}}
        """#

    @Test func thinkingIsKeptApartAndSentBackUnchanged() throws {
        let anthropic = AnthropicAdapter()
        let response = try anthropic.decode(HTTPResponse(status: 200, body: Array(Self.thinkingThenTool.utf8)))
        #expect(response.content == "")
        #expect(response.reasoning == "The user wants the weather; I should call the tool.")
        #expect(response.reasoningBlocks.count == 2 && response.toolCalls.map(\.name) == ["get_weather"])
        var assistant = ChatMessage(.assistant, response.content, toolCalls: response.toolCalls)
        assistant.reasoningBlocks = response.reasoningBlocks
        let next = ChatRequest(model: "claude-sonnet-4-5", messages: [
            ChatMessage(.user, "Weather in Paris?"), assistant,
            ChatMessage(.tool, "", toolResults: [ToolResult(callId: "toolu_1", name: "get_weather", content: "18 C")]),
        ], params: SamplingParams(maxTokens: 4096, reasoning: Reasoning(budgetTokens: 2048)))
        let sent = try anthropic.body(for: next)["messages"]?.array?[1].serialized
        #expect(sent == #"{"role":"assistant","content":[{"type":"thinking","thinking":"The user wants the weather; I should call the tool.","signature":"EqQBCgIYAhIMsig"},{"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix"},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]}"#)
        // A cassette keeps both, so a replayed tool loop rebuilds the same conversation.
        let interaction = try Cassette.interaction(.object([("key", .string("k")), ("request", .object([])), ("response", Cassette.response(response))]))
        #expect(interaction.response.reasoning == response.reasoning && interaction.response.reasoningBlocks == response.reasoningBlocks)
    }

    @Test func streamedThinkingIsAssembledWithItsSignature() throws {
        var decoder = AnthropicStreamDecoder()
        var shown = ""
        let events: [(String, String)] = [
            ("message_start", #"{"type":"message_start","message":{"model":"claude-sonnet-4-5","usage":{"input_tokens":20,"output_tokens":1}}}"#),
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Two plus "}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"two is four."}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBsig"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            ("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"4"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":30}}"#),
            ("message_stop", #"{"type":"message_stop"}"#),
        ]
        for (name, data) in events { shown += try decoder.consume(SSEEvent(name: name, data: data)) }
        let response = try decoder.finish()
        #expect(shown == "4" && response.content == "4")
        #expect(response.reasoning == "Two plus two is four.")
        #expect(response.reasoningBlocks == [.object([("type", .string("thinking")), ("thinking", .string("Two plus two is four.")),
                                                      ("signature", .string("EqQBsig"))])])
    }
}
