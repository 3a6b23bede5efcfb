import FlowSource
import FlowTemplate
import FlowYAML
import FlowTestSupport
import Testing
@testable import FlowCore

/// The interpreter against the scripted mock provider and an in-memory transcript.
@Suite struct InterpreterTests {
    func loaded(_ text: String) throws -> LoadedWorkflow {
        let source = SourceFile(path: "w.yaml", text: text)
        let workflow = try WorkflowDecoder.decode(try YAML.load(source), source: source)
        var templates: [TemplateSource: LoadedTemplate] = [:]
        for templateSource in workflow.templateSources {
            guard case .inline(let text) = templateSource.kind else { continue }
            templates[templateSource] = LoadedTemplate(template: try Template(text), file: source, inlineMark: templateSource.mark,
                                                       strict: templateSource.strict)
        }
        return LoadedWorkflow(workflow: workflow, source: source, sha256: SHA256.hex(text), templates: templates, templateFiles: [])
    }

    func run(_ text: String, inputs: [String: String] = [:], transport: any HTTPTransport = UnusedTransport(),
             environment: [String: String] = [:]) async throws -> (RunResult, [JSON], ProviderRegistry) {
        let workflow = try loaded(text)
        let registry = ProviderRegistry(environment: environment, transport: transport, mockReplies: workflow.workflow.mock)
        let transcript = InMemoryTranscript()
        let result = await Interpreter(providers: registry, transcript: transcript)
            .run(workflow, inputs: try Inputs.resolve(inputs, for: workflow.workflow))
        return (result, transcript.events, registry)
    }

    static let twoSteps = """
        flow: 1
        model: mock/m
        params: {temperature: 0.5, max_tokens: 100}
        vars: {topic: null, tone: warm}
        system: "Be {{tone}}."
        steps:
          - id: first
            user: "Name one fact about {{topic}}."
            save: fact
          - id: second
            user: "Expand: {{fact}}"
            prefill: "In short,"
            params: {temperature: 0}
            save: detail
        output: "{{fact}} / {{detail}}"
        mock:
          - {content: "Owls fly silently.", usage: {input_tokens: 10, output_tokens: 4}}
          - {content: " their feathers are soft.", usage: {input_tokens: 20, output_tokens: 6}}
        """

    @Test func runsStepsInOrderKeepingTheConversation() async throws {
        let (result, _, registry) = try await run(Self.twoSteps, inputs: ["topic": "owls"])
        #expect(result.status == .succeeded)
        #expect(result.output == "Owls fly silently. / In short, their feathers are soft.")
        #expect(result.steps.map(\.id) == ["first", "second"])
        #expect(result.totals == Usage(inputTokens: 30, outputTokens: 10))

        let mock = try registry.provider(for: ModelRef(provider: "mock", name: "m")) as! MockProvider
        let requests = await mock.requests
        #expect(requests.count == 2)
        #expect(requests[1].messages == [
            ChatMessage(.system, "Be warm."),
            ChatMessage(.user, "Name one fact about owls."),
            ChatMessage(.assistant, "Owls fly silently."),
            ChatMessage(.user, "Expand: Owls fly silently."),
        ])
        #expect(requests[1].prefill == "In short,")
        // Step params override the workflow's, key by key.
        #expect(requests[0].params == SamplingParams(temperature: 0.5, maxTokens: 100))
        #expect(requests[1].params == SamplingParams(temperature: 0, maxTokens: 100))
    }

    static let chat = """
        flow: 1
        model: mock/m
        vars: {turns: [], question: null}
        history: turns
        system: "Be brief."
        steps:
          - id: answer
            user: "{{question}}"
        mock: [{content: "Paris."}]
        """

    @Test func historyTurnsComeAfterTheSystemPromptAndBeforeTheFirstStep() async throws {
        let turns = #"[{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]"#
        let (result, _, registry) = try await run(Self.chat, inputs: ["turns": turns, "question": "Capital of France?"])
        #expect(result.status == .succeeded)
        let mock = try registry.provider(for: ModelRef(provider: "mock", name: "m")) as! MockProvider
        #expect(await mock.requests.first?.messages == [
            ChatMessage(.system, "Be brief."), ChatMessage(.user, "Hi"), ChatMessage(.assistant, "Hello!"),
            ChatMessage(.user, "Capital of France?"),
        ])
    }

    @Test func aHistoryTurnWithAnotherRoleIsRefusedNamingTheItem() async throws {
        let turns = #"[{"role": "user", "content": "Hi"}, {"role": "tool", "content": "x"}]"#
        let (result, _, _) = try await run(Self.chat, inputs: ["turns": turns, "question": "Q"])
        #expect(result.status != .succeeded)
        #expect(result.error?.message.contains("item 2 has role 'tool'") == true, "\(String(describing: result.error))")
    }

    @Test func historyMustNameADeclaredVariable() throws {
        let text = Self.chat.replacingOccurrences(of: "history: turns", with: "history: chat")
        #expect { try loaded(text) } throws: { "\($0)".contains("'history: chat' names no variable") }
    }

    @Test func transcriptRecordsEveryEventInOrder() async throws {
        let (_, events, _) = try await run(Self.twoSteps, inputs: ["topic": "owls"])
        #expect(events.map { $0["type"]?.string } == ["run_start", "step_start", "request", "response", "branch",
                                                      "step_start", "request", "response", "branch", "run_end"])
        #expect(events[0]["workflow_sha256"] == .string(SHA256.hex(Self.twoSteps)))
        #expect(events[0]["inputs"] == .object([("tone", .string("warm")), ("topic", .string("owls"))]))
        #expect(events[6]["prefill_mode"] == .string("native"))
        #expect(events[7]["finish_reason_raw"] == .string("stop"))
        #expect(events[8]["action"] == .string("next"))
        #expect(events[9]["totals"] == .object([("calls", .int(2)), ("input_tokens", .int(30)), ("output_tokens", .int(10)),
                                                 ("cost_usd", .double(0)), ("offline_calls", .int(2)), ("recorded_cost_usd", .double(0))]))
        #expect(events[7]["mode"] == .string("mock"), "a scripted answer says so")
        #expect(events.map { $0["seq"]?.int } == Array(1...10))
    }

    @Test func truncationFailsTheRunNamingTheStep() async throws {
        let (result, events, _) = try await run("""
            flow: 1
            model: mock/m
            steps:
              - {id: summarize, user: go}
              - {id: never, user: go}
            mock:
              - {content: "half an ans", finish_reason: length}
            """)
        #expect(result.status == .failed)
        #expect(result.error?.message == "step 'summarize' finished with 'length' (raw 'length'): the answer was truncated at the token limit")
        #expect(result.error?.exitCode == 1)
        #expect(result.steps.map(\.id) == ["summarize"])
        #expect(events.last?["status"] == .string("failed"))
        #expect(events.dropLast().last?["type"] == .string("error"))
    }

    @Test func unknownFinishReasonIsNeverStop() async throws {
        let (result, _, _) = try await run("flow: 1\nmodel: mock/m\nsteps: [{id: a, user: x}]\nmock: [{content: y, finish_reason: pause_turn}]\n")
        #expect(result.error?.message == "step 'a' finished with 'other' (raw 'pause_turn'): the provider stopped for a reason flow does not know ('pause_turn')")
    }

    @Test func runningOutOfMockRepliesIsAProviderError() async throws {
        let (result, _, _) = try await run("flow: 1\nmodel: mock/m\nsteps: [{id: a, user: x}]\n")
        #expect(result.error?.kind == .provider)
        #expect(result.error?.message == "step 'a': the workflow's 'mock' list has 0 replies and call 1 asked for another")
        #expect(result.error?.exitCode == 69)
    }

    @Test func missingKeyNamesTheVariable() async throws {
        let (result, _, _) = try await run("flow: 1\nmodel: openai/gpt-4o-mini\nsteps: [{id: a, user: x}]\n")
        #expect(result.error?.message == "step 'a': OPENAI_API_KEY is not set: export it to run 'openai/gpt-4o-mini', or use a mock model offline")
    }

    @Test func requiredAndUnknownInputs() throws {
        let workflow = try loaded(Self.twoSteps).workflow
        #expect(throws: RunError(.usage, "variable 'topic' is required: pass --var topic=VALUE")) {
            try Inputs.resolve([:], for: workflow)
        }
        #expect(throws: RunError(.usage, "--var tpoic: the workflow has no variable 'tpoic' (did you mean 'topic'?); it declares: topic, tone")) {
            try Inputs.resolve(["tpoic": "x"], for: workflow)
        }
        #expect(try Inputs.resolve(["topic": "x"], for: workflow) == ["topic": .string("x"), "tone": .string("warm")])
    }
}

extension RunError: Equatable {
    public static func == (lhs: RunError, rhs: RunError) -> Bool {
        lhs.kind == rhs.kind && lhs.message == rhs.message && lhs.step == rhs.step
    }
}

/// Template features as runs use them.
@Suite struct InterpreterTemplateTests {
    let base = InterpreterTests()

    @Test func parseJSONMakesFieldsAndListsUsable() async throws {
        let (result, _, registry) = try await base.run("""
            flow: 1
            model: mock/m
            steps:
              - id: classify
                user: Classify.
                prefill: "{"
                parse: json
                save: classify
              - id: reply
                user: "Label {{classify.label}}; tags:{{#classify.tags}} {{.}}{{/classify.tags}}"
            mock:
              - "\\"label\\": \\"billing\\", \\"tags\\": [\\"refund\\", \\"card\\"]}"
              - done
            """)
        #expect(result.status == .succeeded, "\(result.error?.message ?? "")")
        let mock = try registry.provider(for: ModelRef(provider: "mock", name: "m")) as! MockProvider
        #expect(await mock.requests[1].messages.last == ChatMessage(.user, "Label billing; tags: refund card"))
    }

    @Test func invalidJSONFailsTheStep() async throws {
        let (result, _, _) = try await base.run("flow: 1\nmodel: mock/m\nsteps: [{id: a, user: x, parse: json}]\nmock: [\"Sure! here it is\"]\n")
        #expect(result.error?.message == "step 'a' asked for JSON (parse: json) and the answer is not valid JSON: invalid JSON at byte 0: unexpected character")
        #expect(result.error?.exitCode == 1)
    }

    @Test func strictRuntimeErrorNamesThePlace() async throws {
        let (result, _, _) = try await base.run("""
            flow: 1
            model: mock/m
            vars: {items: [{name: a}]}
            steps:
              - id: a
                user: "{{#items}}{{nmae}}{{/items}}"
            """)
        #expect(result.error?.kind == .invalid)
        #expect(result.error?.message == """
            w.yaml:6:22: error: variable 'nmae' is not defined
                user: "{{#items}}{{nmae}}{{/items}}"
                                 ^
            hint: did you mean 'name'? defined: items, name
            """)
    }

    @Test func nonStrictTemplateRendersMissingAsEmpty() async throws {
        let (result, _, _) = try await base.run("""
            flow: 1
            model: mock/m
            vars: {items: [{title: a}]}
            steps:
              - id: a
                user: {text: "{{#items}}[{{title}}{{note}}]{{/items}}", strict: false}
            mock: [ok]
            """)
        #expect(result.status == .succeeded)
    }

    @Test func escapeHTMLIsAWorkflowChoice() async throws {
        let (_, events, _) = try await base.run("""
            flow: 1
            model: mock/m
            escape: html
            vars: {q: "<b>&</b>"}
            steps: [{id: a, user: "{{q}} {{{q}}}"}]
            mock: [ok]
            """)
        #expect(events[2]["messages"]?[0]?["content"] == .string("&lt;b&gt;&amp;&lt;/b&gt; <b>&</b>"))
    }
}
