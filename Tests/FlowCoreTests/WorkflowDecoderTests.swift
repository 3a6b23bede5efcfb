import FlowSource
import FlowYAML
import FlowTestSupport
import Testing
@testable import FlowCore

/// Decoding errors compared whole: place, message, source line, caret and hint.
@Suite struct WorkflowDecoderTests {
    func decode(_ text: String) throws -> Workflow {
        let source = SourceFile(path: "w.yaml", text: text)
        return try WorkflowDecoder.decode(try YAML.load(source), source: source)
    }

    func errors(_ text: String) -> String {
        do {
            _ = try decode(text)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    static let minimal = "flow: 1\nmodel: openai/gpt-4o-mini\nsteps:\n  - id: a\n    user: hi\n"

    @Test func decodesEveryFieldOfTheSubset() throws {
        let workflow = try decode("""
            flow: 1
            name: triage
            description: Sort tickets.
            model: openai/gpt-4o-mini
            params: {temperature: 0.2, top_p: 1, max_tokens: 500, stop: ["\\n\\n"], seed: 7}
            vars: {ticket: null, tone: friendly, n: 3}
            system: You sort tickets.
            steps:
              - id: classify
                user: "Ticket: {{ticket}}"
                prefill: "Category:"
                params: {temperature: 0, stop: END}
                model: mock/fixed
                save: category
            output: "{{category}}"
            """)
        #expect(workflow.name == "triage")
        #expect(workflow.description == "Sort tickets.")
        #expect(workflow.model == ModelRef(provider: "openai", name: "gpt-4o-mini"))
        #expect(workflow.params == SamplingParams(temperature: 0.2, topP: 1, maxTokens: 500, stop: ["\n\n"], seed: 7))
        #expect(workflow.vars.map(\.name) == ["ticket", "tone", "n"])
        #expect(workflow.vars.map(\.defaultValue) == [nil, .string("friendly"), .int(3)])
        let step = try #require(workflow.steps.first)
        #expect(step.id == "classify")
        #expect(step.user == .inline("Ticket: {{ticket}}", Mark(line: 10, column: 11)))
        #expect(step.prefill == .inline("Category:", Mark(line: 11, column: 14)))
        #expect(step.params == SamplingParams(temperature: 0, stop: ["END"]))
        #expect(step.model == ModelRef(provider: "mock", name: "fixed"))
        #expect(step.save == "category")
        #expect(workflow.output == .inline("{{category}}", Mark(line: 15, column: 9)))
    }

    @Test func nameDefaultsToTheFileName() throws {
        #expect(try decode(Self.minimal).name == "w")
    }

    @Test func fileReferenceIsKeptUnread() throws {
        let workflow = try decode("flow: 1\nmodel: mock/x\nsteps:\n  - id: a\n    user: {file: ../templates/a.mustache}\n")
        #expect(workflow.steps[0].user == .file("../templates/a.mustache", Mark(line: 5, column: 18)))
    }

    @Test func modelNameMayContainSlashes() throws {
        #expect(ModelRef(parsing: "openai/org/model")?.name == "org/model")
        #expect(ModelRef(parsing: "openai/") == nil)
        #expect(ModelRef(parsing: "gpt-4o") == nil)
    }

    @Test func unknownKeyHasDidYouMean() {
        #expect(errors(Self.minimal + "params:\n  temprature: 0.2\n") == """
            w.yaml:7:3: error: unknown key 'temprature' in params
              temprature: 0.2
              ^
            hint: did you mean 'temperature'?
            """)
    }

    @Test func unknownKeyWithoutNearMatchListsKnownKeys() {
        #expect(errors(Self.minimal + "banana: 1\n") == """
            w.yaml:6:1: error: unknown key 'banana' in the workflow
            banana: 1
            ^
            hint: known keys: flow, name, description, model, params, vars, system, steps, output, escape, partials, limits, context, tools, tests, mock, prompt_cache_key, variants, mcp, history
            """)
    }

    @Test func wrongTypes() {
        #expect(errors(Self.minimal + "params: {temperature: warm, max_tokens: 1.5, seed: x}\n") == """
            w.yaml:6:23: error: 'temperature' must be a number, got a string 'warm'
            params: {temperature: warm, max_tokens: 1.5, seed: x}
                                  ^
            w.yaml:6:41: error: 'max_tokens' must be a positive integer, got a number '1.5'
            params: {temperature: warm, max_tokens: 1.5, seed: x}
                                                    ^
            w.yaml:6:52: error: 'seed' must be an integer, got a string 'x'
            params: {temperature: warm, max_tokens: 1.5, seed: x}
                                                               ^
            """)
    }

    @Test func logprobParams() throws {
        let workflow = try decode(Self.minimal + "params: {logprobs: true, top_logprobs: 3}\n")
        #expect(workflow.params == SamplingParams(logprobs: true, topLogprobs: 3))
        #expect(errors(Self.minimal + "params: {top_logprobs: 30}\n") == """
            w.yaml:6:24: error: 'top_logprobs' must be a whole number from 0 to 20, got an integer '30'
            params: {top_logprobs: 30}
                                   ^
            """)
    }

    @Test func outOfRangeNumber() {
        #expect(errors(Self.minimal + "params: {temperature: 3}\n") == """
            w.yaml:6:23: error: 'temperature' must be between 0 and 2, got 3
            params: {temperature: 3}
                                  ^
            """)
    }

    @Test func quotedNumberIsAStringWithAHint() {
        #expect(errors("flow: 1\nname: 12\nmodel: mock/x\nsteps: [{id: a, user: hi}]\n") == """
            w.yaml:2:7: error: 'name' must be a string, got an integer '12'
            name: 12
                  ^
            hint: quote it: "12"
            """)
    }

    @Test func missingRequiredKeys() {
        #expect(errors("name: x\n") == """
            w.yaml:1:1: error: missing required key 'flow'
            name: x
            ^
            hint: start the file with 'flow: 1', the format version
            w.yaml:1:1: error: missing required key 'steps'
            name: x
            ^
            hint: add 'steps:' with a list of steps, each with an 'id' and a 'user' turn
            """)
    }

    @Test func emptyFile() {
        #expect(errors("") == """
            w.yaml: error: the file is empty
            hint: a workflow needs at least 'flow: 1' and 'steps:'
            """)
    }

    @Test func wrongVersion() {
        #expect(errors(Self.minimal.replacingOccurrences(of: "flow: 1", with: "flow: 2")) == """
            w.yaml:1:7: error: 'flow' must be 1 (the format version this flow reads), got 2
            flow: 2
                  ^
            """)
    }

    @Test func unknownProviderHasDidYouMean() {
        #expect(errors("flow: 1\nmodel: opneai/gpt-4o\nsteps: [{id: a, user: hi}]\n") == """
            w.yaml:2:8: error: unknown provider 'opneai'
            model: opneai/gpt-4o
                   ^
            hint: did you mean 'openai'? known providers: mock, openai, anthropic, gemini, openai-responses; name others in flow.config.yaml
            """)
    }

    @Test func modelWithoutProvider() {
        #expect(errors("flow: 1\nmodel: gpt-4o\nsteps: [{id: a, user: hi}]\n") == """
            w.yaml:2:8: error: 'model' must be 'provider/model', got 'gpt-4o'
            model: gpt-4o
                   ^
            hint: did you mean 'openai/gpt-4o'?
            """)
        #expect(errors("flow: 1\nmodel: llama3\nsteps: [{id: a, user: hi}]\n").hasSuffix("hint: for example 'openai/gpt-4o-mini' or 'mock/echo'"))
    }

    @Test func stepProblems() {
        #expect(errors("""
            flow: 1
            steps:
              - id: a
                user: hi
              - id: a
                model: mock/x
                usr: hi
              - user: x
            """) == """
            w.yaml:3:5: error: step 'a' has no model
              - id: a
                ^
            hint: set a top-level 'model: provider/name' or one on the step
            w.yaml:5:5: error: step 'a' needs a 'user' turn
              - id: a
                ^
            hint: add 'user: …' with the text or {file: templates/x.mustache}
            w.yaml:7:5: error: unknown key 'usr' in a step
                usr: hi
                ^
            hint: did you mean 'user'?
            w.yaml:8:5: error: a step needs an 'id'
              - user: x
                ^
            hint: add 'id: some_name' to name the step in records and references
            """)
    }

    @Test func duplicateStepIdAndOverwritingSave() {
        #expect(errors("""
            flow: 1
            model: mock/x
            vars: {ticket: null}
            steps:
              - {id: a, user: hi, save: ticket}
              - {id: a, user: hi}
            """) == """
            w.yaml:5:29: error: 'save: ticket' would overwrite 'ticket' defined at 3:8
              - {id: a, user: hi, save: ticket}
                                        ^
            hint: choose another name
            w.yaml:6:10: error: duplicate step id 'a' (first defined at 5:5)
              - {id: a, user: hi}
                     ^
            """)
    }

    @Test func templateMustBeTextOrFile() {
        // `user:` may be a list of parts (text, image:, document:); a prefill may not.
        #expect(errors("flow: 1\nmodel: mock/x\nsteps: [{id: a, user: hi, prefill: [x]}]\n") == """
            w.yaml:3:36: error: 'prefill' must be text or {file: path}, got a list
            steps: [{id: a, user: hi, prefill: [x]}]
                                               ^
            """)
    }

    @Test func mockRepliesDecode() throws {
        let workflow = try decode(Self.minimal + """
            mock:
              - plain text
              - {content: cut, finish_reason: length, usage: {input_tokens: 3, output_tokens: 4}}
            """)
        #expect(workflow.mock == [MockReply(content: "plain text"),
                                  MockReply(content: "cut", finishReason: .length(raw: "length"), usage: Usage(inputTokens: 3, outputTokens: 4))])
    }

    @Test func everyKnownProviderResolves() throws {
        let keys = Dictionary(BuiltInProvider.all.compactMap { $0.keyVariable.map { ($0, "k") } }, uniquingKeysWith: { first, _ in first })
        #expect(keys.count == 3, "OpenAI (both APIs), Anthropic and Gemini each read a key: \(keys.keys.sorted())")
        let registry = ProviderRegistry(environment: keys, transport: UnusedTransport(), mockReplies: [])
        for name in WorkflowDecoder.knownProviders {
            #expect(try registry.provider(for: ModelRef(provider: name, name: "m")).name == name)
        }
    }

    @Test func theBatchAPIsAreTheTablesOwn() throws {
        let keys = Dictionary(BuiltInProvider.all.compactMap { $0.keyVariable.map { ($0, "k") } }, uniquingKeysWith: { first, _ in first })
        let registry = ProviderRegistry(environment: keys, transport: UnusedTransport(), mockReplies: [])
        for name: ProviderName in [.openai, .anthropic, .gemini] {
            #expect(try registry.batchClient(for: ModelRef(provider: name, name: "m")).provider == name)
        }
        // The Responses API and the models only it serves have no batch client: the error lists those that do.
        for ref in [ModelRef(provider: .openaiResponses, name: "gpt-4o"), ModelRef(provider: .openai, name: "o1-pro")] {
            #expect(throws: ProviderError.self) { try registry.batchClient(for: ref) }
            do { _ = try registry.batchClient(for: ref) } catch {
                #expect(error.message.contains("openai, anthropic, gemini only"), "\(error.message)")
            }
        }
    }
}

