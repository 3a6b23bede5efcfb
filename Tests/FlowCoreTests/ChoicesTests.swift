import FlowSource
import FlowYAML
import Testing
@testable import FlowCore

/// `n`: several answers to one request — OpenAI `n`, Gemini `candidateCount`, emulated on
/// Anthropic — the first the answer, all of them the step's choices, checked with `choices:`.
@Suite struct ChoicesTests {
    func decode(_ text: String) throws -> Workflow { try WorkflowText.decode(text) }
    func problems(_ text: String) -> String { WorkflowText.problems(text) }

    @Test func decodedAndChecked() throws {
        let workflow = try decode("""
            flow: 1
            model: openai/gpt-4o-mini
            params: {n: 3}
            steps: [{id: pick, user: "Name a colour."}]
            tests:
              - expect: [{step: pick, contains: e, choices: any}]
            """)
        #expect(workflow.params.n == 3 && workflow.tests.first?.expectations.first?.choices == .any)
        #expect(problems("flow: 1\nmodel: mock/m\nparams: {n: 9}\nsteps: [{id: a, user: hi}]\n").contains("'n' must be a whole number from 1 to 8, got an integer '9'"))
        let base = "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: hi}]\ntests:\n  - expect: "
        #expect(problems(base + "[{step: a, contains: x, choices: most}]\n").contains("'choices' must be any or all, got 'most'"))
        #expect(problems(base + "[{contains: x, choices: all}]\n").contains("'choices' needs 'step:'"))
        #expect(problems(base + "[{step: a, finish_reason: stop, choices: all}]\n").contains("'choices' goes with a check of the text"))
    }

    @Test func openAIAndGeminiAskOnceAndReadEveryChoice() throws {
        let request = ChatRequest(model: "m", messages: [ChatMessage(.user, "Name a colour.")], params: SamplingParams(n: 3))
        #expect(OpenAIAdapter().body(for: request)["n"] == .int(3))
        let completion = #"{"id":"c","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":1,"message":{"role":"assistant","content":"green"},"finish_reason":"stop"},{"index":0,"message":{"role":"assistant","content":"red"},"finish_reason":"stop"},{"index":2,"message":{"role":"assistant","content":"blue"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":3}}"#
        let openAI = try OpenAIAdapter().decode(HTTPResponse(status: 200, body: Array(completion.utf8)))
        #expect(openAI.choices == ["red", "green", "blue"])
        // The answer is the choice at index 0, wherever it stands in the list.
        #expect(openAI.content == "red")
        #expect(try GeminiAdapter().body(for: request)["generationConfig"]?["candidateCount"] == .int(3))
        let generated = #"{"candidates":[{"content":{"parts":[{"text":"red"}],"role":"model"},"finishReason":"STOP","index":0},{"content":{"parts":[{"text":"teal"}],"role":"model"},"finishReason":"STOP","index":1}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2}}"#
        let gemini = try GeminiAdapter().decode(HTTPResponse(status: 200, body: Array(generated.utf8)))
        #expect(gemini.content == "red" && gemini.choices == ["red", "teal"])
        #expect(throws: ProviderError.self) { try OpenAIResponsesAdapter().check(request) }
        // Recorded whole in a cassette.
        let replayed = try Cassette.interaction(.object([("key", .string("k")), ("request", .object([])), ("response", Cassette.response(gemini))]))
        #expect(replayed.response.choices == ["red", "teal"])
    }

    @Test func anyAndAllJudgeEveryChoice() {
        var step = StepResult(id: "pick", model: ModelRef(provider: "mock", name: "m"), finishReason: .stop(raw: "stop"), content: "red",
                              usage: Usage(), latencyMs: 1, costUSD: 0)
        step.choices = ["red", "green", "blue"]
        let result = RunResult(status: .succeeded, output: nil, steps: [step])
        func expectation(_ needle: String, _ mode: FlowCore.Expectation.Choices) -> FlowCore.Expectation {
            var expectation = FlowCore.Expectation(kind: .contains(needle), step: "pick", negated: false, mark: Mark(line: 1, column: 1))
            expectation.choices = mode
            return expectation
        }
        #expect(Expectations.check(expectation("green", .any), result: result) == nil)
        #expect(Expectations.check(expectation("e", .all), result: result) == nil)
        #expect(Expectations.check(expectation("r", .all), result: result)
                == #"choice 3: expected step pick to contain "r", got "blue""#)
        #expect(Expectations.check(expectation("purple", .any), result: result)?.hasPrefix("no choice of 3 passes: choice 1: expected step pick to contain \"purple\"") == true)
        step.choices = []
        #expect(Expectations.check(expectation("red", .any), result: RunResult(status: .succeeded, output: nil, steps: [step]))?.contains("but it gave one") == true)
    }
}
