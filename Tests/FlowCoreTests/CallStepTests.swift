import FlowSource
import FlowTemplate
import FlowTestSupport
import Foundation
import Testing
@testable import FlowCore

/// `call:` steps, loaded from files as a user writes them and run against a transport in
/// OpenAI's chat completions wire format that answers "<first word of the system prompt>:<last
/// user turn>", so each answer shows which workflow's prompt asked for it.
@Suite struct CallStepTests {
    final class EchoServer: HTTPTransport, Sendable {
        let bodies = Locked<[JSON]>([])

        func send(_ request: HTTPRequest) async throws(ProviderError) -> HTTPResponse {
            let body = (try? JSON.parse(request.body)) ?? .null
            bodies.withLock { $0.append(body) }
            let messages = body["messages"]?.array ?? []
            let system = messages.first { $0["role"]?.string == "system" }?["content"]?.string ?? "none"
            let user = messages.last?["content"]?.string ?? ""
            if user == "Reply to boom" {
                return HTTPResponse(status: 400, body: Array(OpenAIWire.error(message: "bad ticket", type: "invalid_request_error", code: nil).utf8))
            }
            let word = system.split(separator: " ").first.map(String.init) ?? ""
            return HTTPResponse(status: 200, body: Array(OpenAIWire.completion(content: word + ":" + user, promptTokens: 11, completionTokens: 3).utf8))
        }
    }

    let scratch: TemporaryDirectory
    var directory: String { scratch.path }

    init() throws { scratch = try TemporaryDirectory(prefix: "flow-call") }

    static let reply = """
        flow: 1
        name: reply
        model: openai/gpt-4o-mini
        params: {max_tokens: 20}
        vars: {ticket: null, tone: friendly}
        system: Replier in a {{tone}} tone.
        steps:
          - {id: draft, user: "Reply to {{ticket}}"}
        """

    func run(_ file: String, inputs: [String: TemplateValue] = [:]) async throws -> (RunResult, [JSON], EchoServer) {
        let loaded = try WorkflowLoader.load(path: directory + "/" + file)
        let server = EchoServer()
        let registry = ProviderRegistry(environment: ["OPENAI_API_KEY": "k"], transport: server, mockReplies: [],
                                        retry: RetryPolicy(maxRetries: 0))
        let transcript = InMemoryTranscript()
        let result = await Interpreter(providers: registry, transcript: transcript).run(loaded, inputs: inputs)
        return (result, transcript.events, server)
    }

    func problems(_ file: String) -> String {
        do {
            _ = try WorkflowLoader.load(path: directory + "/" + file)
            return "loaded"
        } catch {
            return error.description.replacingOccurrences(of: directory + "/", with: "")
        }
    }

    @Test func aCallRunsTheCalleeWithItsOwnPromptAndLeavesTheCallersConversationAlone() async throws {
        try scratch.write("reply.yaml", Self.reply)
        try scratch.write("main.yaml", """
            flow: 1
            name: triage
            model: openai/gpt-4o-mini
            params: {max_tokens: 20}
            vars: {ticket: null}
            system: Triage the ticket.
            steps:
              - {id: classify, user: "{{ticket}}", save: label}
              - id: answer
                call: reply.yaml
                vars: {ticket: "{{ticket}} ({{label}})"}
                save: answer
              - {id: check, user: "Check: {{answer}}"}
            """)
        let (result, events, server) = try await run("main.yaml", inputs: ["ticket": .string("refund")])
        #expect(result.status == .succeeded, "\(String(describing: result.error))")
        let bodies = server.bodies.current
        #expect(bodies.count == 3)
        // The callee asked with its own system prompt, its default for `tone` filled in.
        #expect(bodies[1]["messages"]?.array?.first?["content"]?.string == "Replier in a friendly tone.")
        #expect(bodies[1]["messages"]?.array?.last?["content"]?.string == "Reply to refund (Triage:refund)")
        // The caller's next turn follows its own first answer: no turn of the callee's joined it.
        let check = bodies[2]["messages"]?.array ?? []
        #expect(check.count == 4, "\(check)")
        #expect(check.last?["content"]?.string == "Check: Replier:Reply to refund (Triage:refund)")
        #expect(result.output == "Triage:Check: Replier:Reply to refund (Triage:refund)")
        // Every answer counts in the run's totals, the callee's too.
        #expect(result.steps.map(\.id) == ["classify", "draft", "check"])
        // The callee's events sit between call_start and call_end, each naming the call.
        let types = events.compactMap { EventType(of: $0) }
        let start = try #require(types.firstIndex(of: .callStart)), end = try #require(types.firstIndex(of: .callEnd))
        #expect(events[start]["workflow"]?.string == directory + "/reply.yaml")
        #expect(events[start]["inputs"]?["tone"]?.string == "friendly")
        #expect(events[(start + 1)..<end].allSatisfy { $0["call"]?.string == "answer" })
        #expect(events[(start + 1)..<end].contains { EventType(of: $0) == .response })
        #expect(!events[..<start].contains { $0["call"] != nil })
        #expect(events[end]["status"]?.string == "succeeded")
        #expect(events[end]["output"]?.string == "Replier:Reply to refund (Triage:refund)")
        #expect(!types.dropFirst().contains(.runStart), "a callee runs inside its caller's run_start")
    }

    @Test func aMappedCallRunsOncePerItemAndOneTagPassesAListWhole() async throws {
        try scratch.write("reply.yaml", Self.reply)
        try scratch.write("batch.yaml", """
            flow: 1
            name: batch
            vars: {items: null}
            steps:
              - id: each
                call: reply.yaml
                vars: {ticket: "{{ticket}}", tone: curt}
                map: {over: "{{items}}", as: ticket, concurrency: 2}
                save: replies
            output: "{{#replies}}{{.}}|{{/replies}}"
            """)
        try scratch.write("outer.yaml", """
            flow: 1
            name: outer
            vars: {tickets: null}
            steps:
              - id: all
                call: batch.yaml
                vars: {items: "{{tickets}}"}
            """)
        let (result, events, server) = try await run("outer.yaml", inputs: ["tickets": .list(["a", "b", "c"].map(TemplateValue.string))])
        #expect(result.status == .succeeded, "\(String(describing: result.error))")
        #expect(result.output == "Replier:Reply to a|Replier:Reply to b|Replier:Reply to c|")
        #expect(server.bodies.current.count == 3)
        // Calls inside calls carry the whole path; each mapped item its number.
        let responses = events.filter { EventType(of: $0) == .response }
        #expect(responses.allSatisfy { $0["call"]?.string == "all/each" }, "\(responses.map { $0["call"] ?? .null })")
        #expect(Set(responses.compactMap { $0["item"]?.int }) == [0, 1, 2])
        let shown = TranscriptViews.show(TranscriptReader.Transcript(path: "t", events: events, truncated: false))
        #expect(shown.contains("── step all calls \(directory)/outer.yaml") == false)
        #expect(shown.contains("── step all calls \(directory)/batch.yaml"), "\(shown)")
        #expect(shown.contains("│ ── step each calls \(directory)/reply.yaml · item 2"), "\(shown)")
        #expect(shown.contains("│ │ ── step draft"), "\(shown)")
        let cost = TranscriptViews.cost([TranscriptReader.Transcript(path: "t", events: events, truncated: false)])
        #expect(cost["workflow"]?.map(\.group) == ["reply"], "the callee's answers count under its name")
        #expect(cost["workflow"]?.first?.calls == 3)
    }

    @Test func aFailedCalleeIsPlacedInItsOwnFileAndTheCallersBranchDecides() async throws {
        try scratch.write("reply.yaml", Self.reply)
        try scratch.write("fails.yaml", """
            flow: 1
            vars: {ticket: null}
            steps:
              - {id: answer, call: reply.yaml, vars: {ticket: "{{ticket}}"}}
            """)
        let (failed, _, _) = try await run("fails.yaml", inputs: ["ticket": .string("boom")])
        #expect(failed.status == .failed)
        let error = try #require(failed.error)
        #expect(error.file == directory + "/reply.yaml")
        #expect(error.mark == Mark(line: 8, column: 5), "the callee's step 'draft': \(String(describing: error.mark))")
        #expect(error.message.hasPrefix("step 'answer' (call reply.yaml): step 'draft'"), "\(error.message)")
        #expect(error.message.contains("bad ticket"))

        try scratch.write("goes-on.yaml", """
            flow: 1
            model: openai/gpt-4o-mini
            params: {max_tokens: 20}
            vars: {ticket: null}
            system: Fallback.
            steps:
              - id: answer
                call: reply.yaml
                vars: {ticket: "{{ticket}}"}
                on: {error: {goto: apologise}}
              - {id: done, user: "unreached", on: {stop: end}}
              - {id: apologise, user: "Sorry about {{ticket}}"}
            """)
        let (recovered, _, _) = try await run("goes-on.yaml", inputs: ["ticket": .string("boom")])
        #expect(recovered.status == .succeeded, "\(String(describing: recovered.error?.message))")
        #expect(recovered.output == "Fallback.:Sorry about boom")
    }

    @Test func parseJSONReadsTheCalleesOutputAndNonJSONIsInvalid() async throws {
        try scratch.write("fields.yaml", """
            flow: 1
            vars: {ticket: null}
            model: mock/m
            steps:
              - {id: f, user: "{{ticket}}"}
            output: '{"ticket": "{{ticket}}", "n": 5.50}'
            mock: [seen]
            """)
        try scratch.write("uses.yaml", """
            flow: 1
            vars: {ticket: null}
            steps:
              - {id: read, call: fields.yaml, vars: {ticket: "{{ticket}}"}, parse: json, save: fields}
            output: "{{fields.ticket}} costs {{fields.n}}"
            """)
        let (parsed, _, _) = try await run("uses.yaml", inputs: ["ticket": .string("t1")])
        #expect(parsed.status == .succeeded, "\(String(describing: parsed.error?.message))")
        #expect(parsed.output == "t1 costs 5.50")

        try scratch.write("uses-text.yaml", """
            flow: 1
            vars: {ticket: null}
            steps:
              - {id: read, call: reply.yaml, vars: {ticket: "{{ticket}}"}, parse: json}
            """)
        try scratch.write("reply.yaml", Self.reply)
        let (invalid, _, _) = try await run("uses-text.yaml", inputs: ["ticket": .string("t1")])
        #expect(invalid.status == .failed)
        #expect(invalid.error?.message.contains("asked for JSON (parse: json) and 'reply.yaml' gave output that is not valid JSON") == true,
                "\(String(describing: invalid.error))")
    }

    @Test func validationRefusesALoopOfCallsWhereItCloses() throws {
        try scratch.write("a.yaml", "flow: 1\nsteps:\n  - {id: to-b, call: b.yaml}\n")
        try scratch.write("b.yaml", "flow: 1\nsteps:\n  - {id: back, call: a.yaml}\n")
        let text = problems("a.yaml")
        #expect(text.contains("b.yaml:3:22: error: step 'back' calls 'a.yaml', which closes a loop of calls: a.yaml → b.yaml → a.yaml"), "\(text)")
        #expect(text.contains("a.yaml:3:22: error: step 'to-b' calls 'b.yaml', which is invalid (1 problem below)"), "\(text)")
        try scratch.write("self.yaml", "flow: 1\nsteps:\n  - {id: me, call: ./self.yaml}\n")
        #expect(problems("self.yaml").contains("which closes a loop of calls"))
    }

    @Test func validationChecksTheCalleeAndTheInputsACallGives() throws {
        try scratch.write("reply.yaml", Self.reply)
        try scratch.write("broken.yaml", "flow: 1\nmodel: mock/m\nsteps:\n  - {id: x, user: \"{{nope}}\"}\n")
        try scratch.write("main.yaml", """
            flow: 1
            vars: {ticket: null}
            steps:
              - id: one
                call: reply.yaml
                vars: {tiket: "{{ticket}}", tone: "{{mood}}"}
              - {id: two, call: broken.yaml}
              - {id: three, call: replies.yaml}
            """)
        try scratch.write("shape.yaml", """
            flow: 1
            model: mock/m
            steps:
              - {id: four, call: reply.yaml, vars: {ticket: x}, model: openai/gpt-4o, on: {length: {continue: 2}}}
              - {id: five, user: hi, vars: {a: b}}
            """)
        let shape = problems("shape.yaml")
        #expect(shape.contains("shape.yaml:4:53: error: step 'four' calls a workflow, so 'model' belongs in the called workflow's steps"), "\(shape)")
        #expect(shape.contains("step 'four' calls a workflow, which ends 'stop', 'error' or 'invalid', never 'length'"), "\(shape)")
        #expect(shape.contains("shape.yaml:5:32: error: 'vars' on step 'five' gives a called workflow its inputs, and the step calls none"), "\(shape)")
        let text = problems("main.yaml")
        #expect(text.contains("main.yaml:6:12: error: 'reply.yaml' has no variable 'tiket'"), "\(text)")
        #expect(text.contains("did you mean 'ticket'?"), "\(text)")
        #expect(text.contains("main.yaml:5:11: error: step 'one' calls 'reply.yaml' without its required variable 'ticket'"), "\(text)")
        #expect(text.contains("variable 'mood' is not defined"), "\(text)")
        #expect(text.contains("main.yaml:7:21: error: step 'two' calls 'broken.yaml', which is invalid (1 problem below)"), "\(text)")
        #expect(text.contains("broken.yaml:4:20: error: variable 'nope' is not defined"), "\(text)")
        #expect(text.contains("main.yaml:8:23: error: called workflow 'replies.yaml' does not exist"), "\(text)")
        #expect(text.contains("did you mean 'reply.yaml'?"), "\(text)")
    }
}
