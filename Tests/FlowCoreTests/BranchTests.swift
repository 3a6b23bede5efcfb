import FlowSource
import FlowTemplate
import FlowYAML
import FlowTestSupport
import Testing
@testable import FlowCore


/// Every branch target, action, default and limit, driven by the scripted mock provider.
@Suite struct BranchTests {
    struct Outcome {
        var result: RunResult
        var events: [JSON]
        var requests: [ChatRequest]
        var path: [String] { result.path.map { "\($0.step):\($0.reason):\($0.action)" } }
        func types(_ type: String) -> [JSON] { events.filter { $0["type"] == .string(type) } }
    }

    func run(_ text: String, inputs: [String: String] = [:], lines: [String] = [],
             tools: ScriptedTools = ScriptedTools([:])) async throws -> Outcome {
        let loaded = try InterpreterTests().loaded(text)
        let registry = ProviderRegistry(environment: [:], transport: UnusedTransport(), mockReplies: loaded.workflow.mock)
        let transcript = InMemoryTranscript()
        let interpreter = Interpreter(providers: registry, transcript: transcript, input: ScriptedInput(lines), tools: tools)
        let result = await interpreter.run(loaded, inputs: try Inputs.resolve(inputs, for: loaded.workflow))
        let mock = try registry.provider(for: ModelRef(provider: "mock", name: "m")) as! MockProvider
        return Outcome(result: result, events: transcript.events, requests: await mock.requests)
    }

    @Test func conditionsPickTheFirstMatchingCase() async throws {
        let workflow = """
            flow: 1
            model: mock/m
            params: {logprobs: true}
            steps:
              - id: classify
                user: Classify.
                on:
                  stop:
                    - if: {confidence_below: 0.7}
                      goto: escalate
                    - if: {matches: "(?i)billing"}
                      goto: billing
                    - goto: general
              - {id: billing, user: billing reply, on: {stop: end}}
              - {id: general, user: general reply, on: {stop: end}}
              - {id: escalate, user: escalate, on: {stop: end}}
            mock:
            """
        let billing = try await run(workflow + "\n  - {content: BILLING, confidence: 0.9}\n  - done\n")
        #expect(billing.path == ["classify:stop:goto billing", "billing:stop:end"])
        let unsure = try await run(workflow + "\n  - {content: billing, confidence: 0.4}\n  - done\n")
        #expect(unsure.path == ["classify:stop:goto escalate", "escalate:stop:end"])
        // The branch event says why: the condition that held and the confidence it saw.
        let branches = unsure.events.filter { $0["type"] == .string("branch") }
        #expect(branches.first?["condition"] == .string("confidence_below: 0.7"))
        #expect(branches.first?["confidence"] == .double(0.4))
        #expect(billing.events.first { $0["type"] == .string("branch") }?["condition"] == .string(#"matches: "(?i)billing""#))
        #expect(branches.last?["default"] == .bool(false) && branches.last?["condition"] == .string("always"))
        let other = try await run(workflow + "\n  - {content: shipping, confidence: 0.95}\n  - done\n")
        #expect(other.path == ["classify:stop:goto general", "general:stop:end"])
        #expect(other.result.status == .succeeded)
    }

    @Test func containsEqualsJsonAndNot() async throws {
        let workflow = """
            flow: 1
            model: mock/m
            steps:
              - id: a
                user: go
                on:
                  stop:
                    - {if: {not: {json: true}}, fail: "not JSON"}
                    - {if: {contains: urgent}, goto: b}
                    - {if: {equals: "{}"}, end: true}
                    - next
              - {id: b, user: b}
            mock:
            """
        #expect(try await run(workflow + "\n  - plain text\n").result.error?.message == "step 'a': not JSON")
        #expect(try await run(workflow + "\n  - '{\"urgent\": 1}'\n  - ok\n").path == ["a:stop:goto b", "b:stop:next"])
        #expect(try await run(workflow + "\n  - ' {} '\n").path == ["a:stop:end"])
    }

    @Test func continueJoinsThePiecesThroughANativePrefill() async throws {
        let outcome = try await run("""
            flow: 1
            model: mock/m
            steps:
              - id: essay
                user: Write.
                prefill: "Once"
                save: essay
                on: {length: {continue: 2}}
            mock:
              - {content: " upon a", finish_reason: length}
              - {content: " time there", finish_reason: length}
              - {content: " was a fox.", finish_reason: stop}
            """)
        #expect(outcome.path == ["essay:length:continue", "essay:length:continue", "essay:stop:next"])
        #expect(outcome.result.output == "Once upon a time there was a fox.")
        #expect(outcome.requests.map(\.prefill) == ["Once", "Once upon a", "Once upon a time there"])
        #expect(outcome.requests[2].messages == outcome.requests[0].messages, "a native continuation adds no turns")
        #expect(outcome.types("response").count == 3, "each piece is in the transcript")
    }

    @Test func continueThatRunsOutFails() async throws {
        let outcome = try await run("""
            flow: 1
            model: mock/m
            steps: [{id: essay, user: Write., on: {length: {continue: 1}}}]
            mock: [{content: a, finish_reason: length}, {content: b, finish_reason: length}]
            """)
        #expect(outcome.result.error?.message == "step 'essay' is still truncated after 1 continuation; raise max_tokens or the continue count")
        #expect(outcome.result.error?.exitCode == 1)
    }

    @Test func retryWithAnotherModelAndParams() async throws {
        let outcome = try await run("""
            flow: 1
            model: mock/m
            params: {temperature: 0.7}
            steps:
              - id: answer
                user: Tell me.
                on: {content_filter: {retry: 1, model: mock/careful, params: {temperature: 0}}}
            mock: [{content: "", finish_reason: content_filter}, safe answer]
            """)
        #expect(outcome.path == ["answer:content_filter:retry", "answer:stop:next"])
        #expect(outcome.requests.map(\.model) == ["m", "careful"])
        #expect(outcome.requests[1].params.temperature == 0)
        #expect(outcome.result.output == "safe answer")
    }

    @Test func retriesThatRunOutFailWithTheReason() async throws {
        let outcome = try await run("""
            flow: 1
            model: mock/m
            steps: [{id: a, user: x, on: {content_filter: {retry: 1}}}]
            mock: [{content: "", finish_reason: content_filter}, {content: "", finish_reason: content_filter}]
            """)
        #expect(outcome.result.error?.message == "step 'a' finished with 'content_filter' (raw 'content_filter'): the answer was withheld by the provider's content filter")
    }

    @Test func providerErrorTakesTheErrorBranch() async throws {
        let workflow = """
            flow: 1
            model: mock/m
            steps:
              - {id: a, user: x, on: {error: fallback}}
              - {id: main, user: main, on: {stop: end}}
              - {id: fallback, user: y}
            mock: [{error: overloaded}, fallback answer]
            """
        let outcome = try await run(workflow)
        #expect(outcome.path == ["a:error:goto fallback", "fallback:stop:next"])
        let silent = try await run("flow: 1\nmodel: mock/m\nsteps: [{id: a, user: x}]\nmock: [{error: overloaded}]\n")
        #expect(silent.result.error?.message == "step 'a': mock error: overloaded")
        #expect(silent.result.error?.exitCode == 69)
    }

    @Test func invalidJSONTakesTheInvalidBranch() async throws {
        let outcome = try await run("""
            flow: 1
            model: mock/m
            steps:
              - {id: extract, user: x, prefill: "{", parse: json, save: data, on: {invalid: {retry: 1}}}
              - {id: use, user: "name={{data.name}}"}
            mock: ["oops", "\\"name\\": \\"Ada\\"}", ok]
            """)
        #expect(outcome.path == ["extract:invalid:retry", "extract:stop:next", "use:stop:next"])
        #expect(outcome.requests[2].messages.last?.content == "name=Ada")
    }

    @Test func toolCallsRunTheToolsAndSendResultsBack() async throws {
        let tools = ScriptedTools(["weather": ("{\"temp_c\": 18}", false)])
        let outcome = try await run("""
            flow: 1
            model: mock/m
            tools:
              weather:
                description: Current weather for a city.
                parameters: {type: object, properties: {city: {type: string}}, required: [city]}
                run: [python3, tools/weather.py]
            steps:
              - id: ask
                user: Weather in Paris?
                tools: [weather]
                on: {tool_calls: {tools: {max_rounds: 2}}}
            mock:
              - {content: "", tool_calls: [{name: weather, arguments: {city: Paris}}]}
              - It is 18 °C in Paris.
            """, tools: tools)
        #expect(outcome.path == ["ask:tool_calls:tools", "ask:stop:next"])
        #expect(outcome.result.output == "It is 18 °C in Paris.")
        let calls = await tools.calls
        #expect(calls.map(\.0) == ["weather"])
        #expect(calls.first?.1 == .object([("city", .string("Paris"))]))
        #expect(outcome.requests[0].tools.map(\.name) == ["weather"])
        let sent = outcome.requests[1].messages.suffix(2)
        #expect(sent.first?.toolCalls.first?.name == "weather")
        #expect(sent.last?.toolResults == [ToolResult(callId: "call_1", name: "weather", content: "{\"temp_c\": 18}")])
        #expect(outcome.types("tool_call").count == 1)
        #expect(outcome.types("tool_result").first?["is_error"] == .bool(false))
    }

    @Test func toolRoundsAreBoundedAndUnknownToolsAreErrorsTheModelSees() async throws {
        let outcome = try await run("""
            flow: 1
            model: mock/m
            tools: {t: {run: [x]}}
            steps: [{id: a, user: x, tools: [t], on: {tool_calls: {tools: {max_rounds: 1}}}}]
            mock:
              - {tool_calls: [{name: nope}]}
              - {tool_calls: [{name: t}]}
            """, tools: ScriptedTools(["t": ("ok", false)]))
        #expect(outcome.types("tool_result").first?["content"] == .string("there is no tool named 'nope'; available: t"))
        #expect(outcome.result.error?.message == "step 'a' asked for tools more than 1 rounds (tools.max_rounds)")
    }

    @Test func askingLoopsUntilAnExitWordOrTheEndOfInput() async throws {
        let tutor = """
            flow: 1
            model: mock/m
            system: You are a patient Python tutor.
            steps:
              - id: turn
                user: {ask: "You: ", exit: [bye]}
                on: {stop: turn}
            mock: [First answer., Second answer.]
            """
        let byExit = try await run(tutor, lines: ["What is a list?", "And a dict?", "bye"])
        #expect(byExit.path == ["turn:stop:goto turn", "turn:stop:goto turn", "turn:exit:end"])
        #expect(byExit.result.status == .succeeded)
        #expect(byExit.requests[1].messages.map(\.content) == ["You are a patient Python tutor.", "What is a list?", "First answer.", "And a dict?"])
        let byEOF = try await run(tutor, lines: ["What is a list?"])
        #expect(byEOF.path == ["turn:stop:goto turn", "turn:end_of_input:end"])
        #expect(byEOF.result.status == .succeeded)
    }

    @Test func freshStepsStartANewConversation() async throws {
        let outcome = try await run("""
            flow: 1
            model: mock/m
            system: sys
            steps: [{id: a, user: one}, {id: b, user: two, fresh: true}]
            mock: [x, y]
            """)
        #expect(outcome.requests[1].messages.map(\.content) == ["sys", "two"])
    }

    @Test func contextTrimDropsTheOldestTurnsAndSaysSo() async throws {
        let long = String(repeating: "word ", count: 200)
        let outcome = try await run("""
            flow: 1
            model: mock/m
            context: {max_input_tokens: 300}
            system: sys
            steps: [{id: a, user: "\(long)"}, {id: b, user: "\(long)"}, {id: c, user: short}]
            mock: [x, y, z]
            """)
        let trims = outcome.types("context_trim")
        #expect(!trims.isEmpty)
        #expect(outcome.requests.last?.messages.first?.content == "sys", "the system prompt is kept")
        #expect(outcome.requests.last?.messages.last?.content == "short")
        #expect((trims.last?["estimated_tokens_after"]?.int ?? .max) <= 300)
    }

    @Test func visitsAndTokenBudgetsStopTheRun() async throws {
        let looping = try await run("""
            flow: 1
            model: mock/m
            limits: {max_visits: 2}
            steps:
              - {id: a, user: x, on: {stop: [{if: {contains: again}, goto: a}, end]}}
            mock: [again, again, again]
            """)
        #expect(looping.result.error?.message == "step 'a' was reached 2 times (limits.max_visits): the workflow seems to loop; add a branch that leaves the loop or raise the limit")
        #expect(looping.requests.count == 2)
        let budget = try await run("""
            flow: 1
            model: mock/m
            limits: {max_total_tokens: 100}
            params: {max_tokens: 500}
            steps: [{id: a, user: x}]
            mock: [x]
            """)
        #expect(budget.result.error?.message == "step 'a': this call could bring the run to 505 tokens, over limits.max_total_tokens (100), so it was not sent; raise the limit or lower max_tokens")
        #expect(budget.result.error?.exitCode == 1)
        #expect(budget.requests.isEmpty, "nothing is sent over budget")
    }

    @Test func defaultsNeverAcceptTruncation() async throws {
        let outcome = try await run("flow: 1\nmodel: mock/m\nsteps: [{id: a, user: x}, {id: b, user: y}]\nmock: [{content: half, finish_reason: length}]\n")
        #expect(outcome.path == ["a:length:fail"])
        #expect(outcome.result.error?.message == "step 'a' finished with 'length' (raw 'length'): the answer was truncated at the token limit")
    }
}

/// Validation of the step graph, with places.
@Suite struct BranchValidationTests {
    func errors(_ text: String) -> String {
        let source = SourceFile(path: "w.yaml", text: text)
        do {
            _ = try WorkflowDecoder.decode(try YAML.load(source), source: source)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func unknownTargetHasDidYouMean() {
        #expect(errors("flow: 1\nmodel: mock/m\nsteps:\n  - {id: classify, user: x, on: {stop: biling}}\n  - {id: billing, user: y}\n") == """
            w.yaml:4:40: error: step 'classify' goes to 'biling', which is not a step
              - {id: classify, user: x, on: {stop: biling}}
                                                   ^
            hint: did you mean 'billing'?
            """)
    }

    @Test func impossibleBranches() {
        let text = errors("""
            flow: 1
            model: mock/m
            steps:
              - id: a
                user: x
                on:
                  tool_calls: next
                  stop: [{if: {confidence_below: 0.5}, goto: a}, next]
                  content_filter: {continue: 1}
            """)
        #expect(text.contains("w.yaml:7:19: error: step 'a' branches on tool_calls but offers no tools, so the model cannot call one"))
        #expect(text.contains("w.yaml:8:14: error: confidence_below needs log probabilities, which step 'a' does not ask for"))
        #expect(text.contains("w.yaml:9:23: error: 'continue' gets the rest of a truncated answer, so it belongs under 'length', not 'content_filter'"))
    }

    @Test func loopWithoutAWayOut() {
        #expect(errors("flow: 1\nmodel: mock/m\nsteps:\n  - {id: draft, user: x}\n  - {id: review, user: y, on: {stop: draft}}\n") == """
            w.yaml:4:5: error: steps 'draft', 'review' loop with no way out
              - {id: draft, user: x}
                ^
            hint: give one of them a branch to 'end', 'next' past the loop, or a step outside it
            """)
        #expect(errors("flow: 1\nmodel: mock/m\nsteps:\n  - {id: draft, user: x}\n  - {id: review, user: y, on: {stop: [{if: {contains: OK}, goto: done}, draft]}}\n  - {id: done, user: z}\n") == "no error")
    }

    @Test func badReasonsConditionsAndActions() {
        #expect(errors("flow: 1\nmodel: mock/m\nsteps: [{id: a, user: x, on: {lenght: next}}]\n").contains("error: 'lenght' is not a finish reason\n  ^\n") == false)
        #expect(errors("flow: 1\nmodel: mock/m\nsteps: [{id: a, user: x, on: {lenght: next}}]\n").contains("hint: did you mean 'length'?"))
        #expect(errors("flow: 1\nmodel: mock/m\nsteps: [{id: a, user: x, on: {stop: [{if: {matches: \"([\"}, goto: a}]}}]\n")
            .contains("error: '([' is not a valid regular expression"))
        #expect(errors("flow: 1\nmodel: mock/m\nsteps: [{id: a, user: x, on: {stop: [{if: {contain: x}, end: true}]}}]\n")
            .contains("error: unknown condition 'contain'\n"))
        #expect(errors("flow: 1\nmodel: mock/m\nsteps: [{id: a, user: x, on: {length: {continue: 2, retry: 1}}}]\n")
            .contains("error: a case takes one action, got continue and retry"))
    }

    @Test func unreachableStepIsAWarning() throws {
        let source = SourceFile(path: "w.yaml", text: "flow: 1\nmodel: mock/m\nsteps:\n  - {id: a, user: x, on: {stop: end}}\n  - {id: orphan, user: y}\n")
        let workflow = try WorkflowDecoder.decode(try YAML.load(source), source: source)
        #expect(StepGraph.unreachable(workflow) == [1])
    }
}
