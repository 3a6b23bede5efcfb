import FlowSource
import FlowYAML
import Testing
@testable import FlowCore

/// `cache: true` marks prompt-cache breakpoints: Anthropic gets `cache_control` on those blocks
/// (at most 4), OpenAI and Gemini cache by themselves (OpenAI takes a routing key), and
/// `flow cost` says how much input came from cache.
@Suite struct PromptCacheTests {
    func decode(_ text: String) throws -> Workflow { try WorkflowText.decode(text) }

    static let workflow = """
        flow: 1
        model: anthropic/claude-haiku-4-5
        params: {max_tokens: 100}
        prompt_cache_key: triage-v2
        system: {text: "You are a careful reader of long contracts.", cache: true}
        steps:
          - {id: read, user: {text: "Here is the contract: ...", cache: true}}
          - {id: ask, user: "Who pays for repairs?", cache: true}
          - {id: more, user: "And for insurance?"}
        """

    @Test func marksAreDecodedAndHeldToFour() throws {
        let workflow = try decode(Self.workflow)
        #expect(workflow.system?.cache == true && workflow.promptCacheKey == "triage-v2")
        #expect(workflow.steps.map { $0.user?.cache == true || $0.cache } == [true, true, false])
        let five = Self.workflow + """

              - {id: a, user: x, cache: true}
              - {id: b, user: {text: y, cache: true}}
            """
        do {
            _ = try decode(five)
            Issue.record("five marks were accepted")
        } catch {
            #expect("\(error)".contains("w.yaml:11:36: error: more than 4 'cache: true' marks (5): Anthropic takes at most 4 cache breakpoints in a request"), "\(error)")
        }
        do {
            _ = try decode(Self.workflow.replacingOccurrences(of: "cache: true}}", with: "cache: yes please}}"))
            Issue.record("a non-boolean cache was accepted")
        } catch {
            #expect("\(error)".contains("'cache' must be true or false, got a string 'yes please'"), "\(error)")
        }
    }

    func messages(marking marked: [Bool], system: Bool) -> [ChatMessage] {
        var messages = [ChatMessage(.system, "Be careful.")]
        messages[0].cacheBreakpoint = system
        for (index, mark) in marked.enumerated() {
            var user = ChatMessage(.user, "turn \(index)")
            user.cacheBreakpoint = mark
            messages += [user, ChatMessage(.assistant, "answer \(index)")]
        }
        return messages
    }

    @Test func anthropicGetsCacheControlOnTheMarkedBlocks() throws {
        let request = ChatRequest(model: "claude-haiku-4-5", messages: messages(marking: [true, false], system: true),
                                  params: SamplingParams(maxTokens: 100))
        let body = try AnthropicAdapter().body(for: request)
        #expect(body["system"]?.serialized == #"[{"type":"text","text":"Be careful.","cache_control":{"type":"ephemeral"}}]"#)
        #expect(body["messages"]?.serialized == #"[{"role":"user","content":[{"type":"text","text":"turn 0","cache_control":{"type":"ephemeral"}}]},{"role":"assistant","content":"answer 0"},{"role":"user","content":"turn 1"},{"role":"assistant","content":"answer 1"}]"#)
        // Unmarked, the body is as it always was.
        let plain = try AnthropicAdapter().body(for: ChatRequest(model: "m", messages: messages(marking: [false], system: false),
                                                                 params: SamplingParams(maxTokens: 100)))
        #expect(plain["system"] == .string("Be careful.") && !plain.serialized.contains("cache_control"))
    }

    @Test func aLoopThatMarksMoreThanFourTurnsKeepsTheLatest() throws {
        let request = ChatRequest(model: "claude-haiku-4-5", messages: messages(marking: [true, true, true, true, true], system: true),
                                  params: SamplingParams(maxTokens: 100))
        let body = try AnthropicAdapter().body(for: request)
        #expect(body.serialized.components(separatedBy: "cache_control").count - 1 == 4)
        let marked = (body["messages"]?.array ?? []).enumerated().filter { $0.element.serialized.contains("cache_control") }.map(\.offset)
        #expect(marked == [4, 6, 8])  // turns 2, 3 and 4; the system prompt keeps its mark
    }

    @Test func openAISendsTheKeyAndCompatibleServersDoNot() {
        var request = ChatRequest(model: "gpt-4o-mini", messages: messages(marking: [true], system: true))
        request.promptCacheKey = "triage-v2"
        #expect(OpenAIAdapter().body(for: request)["prompt_cache_key"] == .string("triage-v2"))
        #expect(!OpenAIAdapter().body(for: request).serialized.contains("cache_control"))
        let compatible = OpenAIAdapter(providerName: "local", baseURL: "http://localhost:8000/v1", maxTokensField: .maxTokens)
        #expect(compatible.body(for: request)["prompt_cache_key"] == nil)
    }

    @Test func costShowsTheCacheHitRate() throws {
        let lines = [
            #"{"seq":1,"type":"run_start","name":"contract","started_at":"2026-12-03T10:00:00Z"}"#,
            #"{"seq":2,"type":"step_start","step":"a","model":"anthropic/claude-haiku-4-5"}"#,
            #"{"seq":3,"type":"response","step":"a","usage":{"input_tokens":1000,"output_tokens":10,"cached_input_tokens":0},"cost_usd":0.001}"#,
            #"{"seq":4,"type":"response","step":"a","usage":{"input_tokens":1000,"output_tokens":10,"cached_input_tokens":900},"cost_usd":0.0002}"#,
        ]
        let transcript = try TranscriptReader.parse(lines.joined(separator: "\n") + "\n", path: "a.jsonl")
        let tables = TranscriptViews.cost([transcript])
        #expect(tables["model"]?.first?.cacheHitRate == 0.45)
        #expect(TranscriptViews.costTable(tables).contains("   45%\n"))
        #expect(TranscriptViews.costJSON(tables)["model"]?.array?.first?["cache_hit_rate"] == .double(0.45))
    }
}
