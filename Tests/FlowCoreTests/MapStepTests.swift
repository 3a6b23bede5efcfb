import FlowSource
import FlowTemplate
import FlowTestSupport
import Foundation
import Testing
@testable import FlowCore

/// `map:` on a step, against a transport in OpenAI's wire format that answers each ticket after
/// a delay that makes later items finish first, so the order of `save` is the items' and not
/// the order answers came back in.
@Suite struct MapStepTests {
    /// Answers "label:<ticket>" for the ticket in the last user message; the first ticket waits
    /// longest. Counts calls and the most in flight at once. A ticket holding "boom" is a 400.
    final class TicketServer: HTTPTransport, Sendable {
        struct Counts { var calls = 0, inFlight = 0, most = 0 }
        let counts = Locked(Counts())
        let tickets: [String]

        init(tickets: [String]) { self.tickets = tickets }

        func send(_ request: HTTPRequest) async throws(ProviderError) -> HTTPResponse {
            counts.withLock { $0.calls += 1; $0.inFlight += 1; $0.most = max($0.most, $0.inFlight) }
            defer { counts.withLock { $0.inFlight -= 1 } }
            let body = (try? JSON.parse(request.body)) ?? .null
            let user = body["messages"]?.array?.last?["content"]?.string ?? ""
            let ticket = String(user.dropFirst("Ticket: ".count))
            let position = tickets.firstIndex(of: ticket) ?? 0
            try? await Task.sleep(for: .milliseconds(10 * (tickets.count - position)))
            if ticket.contains("boom") {
                return HTTPResponse(status: 400, body: Array(OpenAIWire.error(message: "bad ticket", type: "invalid_request_error", code: nil).utf8))
            }
            return HTTPResponse(status: 200, body: Array(OpenAIWire.completion(content: "label:" + ticket, promptTokens: 7, completionTokens: 2).utf8))
        }
    }

    static func workflow(concurrency: Int, onItemError: String? = nil, limits: String = "") -> String {
        """
        flow: 1
        model: openai/gpt-4o-mini
        params: {max_tokens: 5}
        vars: {tickets: null}
        system: Classify the ticket.
        \(limits)
        steps:
          - id: classify
            user: "Ticket: {{ticket}}"
            map: {over: "{{tickets}}", as: ticket, concurrency: \(concurrency)\(onItemError.map { ", on_item_error: \($0)" } ?? "")}
            save: labels
          - id: join
            user: "{{#labels}}{{.}}|{{/labels}}"
            model: mock/m
        output: "{{labels}}"
        mock: [joined]
        """
    }

    func run(_ text: String, tickets: [String], server: TicketServer) async throws -> (RunResult, [JSON]) {
        let loaded = try InterpreterTests().loaded(text)
        let registry = ProviderRegistry(environment: ["OPENAI_API_KEY": "k"], transport: server, mockReplies: loaded.workflow.mock,
                                        retry: RetryPolicy(maxRetries: 0))
        let transcript = InMemoryTranscript()
        let inputs = ["tickets": TemplateValue.list(tickets.map(TemplateValue.string))]
        let result = await Interpreter(providers: registry, transcript: transcript).run(loaded, inputs: inputs)
        return (result, transcript.events)
    }

    let tickets = (1...6).map { "t\($0)" }

    @Test func dashJCapsTheItemsInFlightBelowTheMapsConcurrency() async throws {
        let server = TicketServer(tickets: tickets)
        let loaded = try InterpreterTests().loaded(Self.workflow(concurrency: 6))
        var registry = ProviderRegistry(environment: ["OPENAI_API_KEY": "k"], transport: server, mockReplies: loaded.workflow.mock,
                                        retry: RetryPolicy(maxRetries: 0))
        // What `flow run -j 2` sets: at most two requests at once to the provider.
        registry.gates = RateGates(ceiling: 2)
        let inputs = ["tickets": TemplateValue.list(tickets.map(TemplateValue.string))]
        let result = await Interpreter(providers: registry, transcript: InMemoryTranscript()).run(loaded, inputs: inputs)
        #expect(result.status == .succeeded, "\(String(describing: result.error))")
        let counts = server.counts.withLock { $0 }
        #expect(counts.calls == 6 && counts.most == 2, "at most -j in flight: \(counts.most)")
    }

    @Test func answersAreSavedInTheItemsOrderWhateverOrderTheyFinishIn() async throws {
        let server = TicketServer(tickets: tickets)
        let (result, events) = try await run(Self.workflow(concurrency: 3), tickets: tickets, server: server)
        #expect(result.status == .succeeded, "\(String(describing: result.error))")
        #expect(result.output == #"["label:t1","label:t2","label:t3","label:t4","label:t5","label:t6"]"#)
        let counts = server.counts.withLock { $0 }
        #expect(counts.calls == 6)
        #expect(counts.most == 3, "at most `concurrency` in flight, and that many: \(counts.most)")
        // Each item starts from the system prompt alone: two messages, never another item's turn.
        let requests = events.filter { EventType(of: $0) == .request && $0["step"]?.string == "classify" }
        #expect(requests.count == 6)
        #expect(requests.allSatisfy { $0["messages"]?.array?.count == 2 })
        #expect(Set(requests.compactMap { $0["item"]?.int }) == Set(0..<6))
        // The reduce step reads the list in order.
        let join = events.first { EventType(of: $0) == .request && $0["step"]?.string == "join" }
        #expect(join?["messages"]?.array?.last?["content"]?.string == "label:t1|label:t2|label:t3|label:t4|label:t5|label:t6|")
        #expect(result.steps.filter { $0.id == "classify" }.count == 6)
        #expect(result.totals.inputTokens == 42)
        let end = events.first { EventType(of: $0) == .mapEnd }
        #expect(end?["answered"]?.int == 6 && end?["failed"]?.int == 0)
    }

    @Test func theBudgetCountsEveryItemBeforeAnyIsSent() async throws {
        let server = TicketServer(tickets: tickets)
        // Each item's worst case is its input estimate plus max_tokens 5: six of them exceed 60.
        let (result, _) = try await run(Self.workflow(concurrency: 2, limits: "limits: {max_total_tokens: 60}"), tickets: tickets, server: server)
        #expect(result.status == .failed)
        #expect(result.error?.message.contains("these 6 calls could bring the run to") == true, "\(String(describing: result.error))")
        #expect(server.counts.withLock { $0.calls } == 0)
    }

    @Test func aFailedItemFailsTheRunByDefaultAndNamesTheItem() async throws {
        let list = ["a", "boom", "c"]
        let (result, _) = try await run(Self.workflow(concurrency: 1), tickets: list, server: TicketServer(tickets: list))
        #expect(result.status == .failed)
        #expect(result.error?.message.hasPrefix("step 'classify', item 2 of 3: ") == true, "\(String(describing: result.error))")
        #expect(result.error?.kind == .provider)
    }

    @Test func aFailedItemIsNullOrSkippedWhenDeclared() async throws {
        let list = ["a", "boom", "c"]
        let (nulled, _) = try await run(Self.workflow(concurrency: 2, onItemError: "null"), tickets: list, server: TicketServer(tickets: list))
        #expect(nulled.output == #"["label:a",null,"label:c"]"#, "\(String(describing: nulled.error))")
        let (skipped, events) = try await run(Self.workflow(concurrency: 2, onItemError: "skip"), tickets: list, server: TicketServer(tickets: list))
        #expect(skipped.output == #"["label:a","label:c"]"#)
        let end = events.first { EventType(of: $0) == .mapEnd }
        #expect(end?["answered"]?.int == 2 && end?["failed"]?.int == 1)
    }

    @Test func aValueThatIsNotAListIsAPlacedRunError() async throws {
        let loaded = try InterpreterTests().loaded(Self.workflow(concurrency: 1))
        let registry = ProviderRegistry(environment: ["OPENAI_API_KEY": "k"], transport: UnusedTransport(), mockReplies: [])
        let result = await Interpreter(providers: registry, transcript: InMemoryTranscript()).run(loaded, inputs: ["tickets": .string("one")])
        let message = result.error?.message ?? ""
        #expect(message.contains("maps over 'tickets', which holds text (one…) rather than a list"), "\(message)")
        #expect(message.contains("or cut the text with split: {by: paragraphs, max_tokens: 1500}"), "\(message)")
        #expect(result.error?.place == "w.yaml:8:5: ")
    }

    @Test func validationChecksOverAsAndTheMapKeys() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", """
            flow: 1
            model: mock/m
            vars: {ticket: x}
            steps:
              - id: a
                user: "{{ticket}}"
                map: {over: "{{tikets}}", as: ticket, concurency: 2, on_item_error: drop}
            """)
        do {
            _ = try WorkflowLoader.load(path: directory.path + "/w.yaml")
            Issue.record("loaded")
        } catch {
            let text = error.description
            #expect(text.contains("unknown key 'concurency' in map"), "\(text)")
            #expect(text.contains("'on_item_error' must be fail, skip, null, got 'drop'"), "\(text)")
        }
        try directory.write("v.yaml", """
            flow: 1
            model: mock/m
            vars: {ticket: x, tickets: [a]}
            steps:
              - id: a
                user: "{{ticket}} {{item}}"
                map: {over: "{{tikets}}", as: ticket}
            """)
        do {
            _ = try WorkflowLoader.load(path: directory.path + "/v.yaml")
            Issue.record("loaded")
        } catch {
            let text = error.description
            #expect(text.contains("v.yaml:7:17: error: step 'a' maps over 'tikets', which is not defined"), "\(text)")
            #expect(text.contains("did you mean 'tickets'?"), "\(text)")
            #expect(text.contains("names its item 'ticket', which hides the variable of that name"), "\(text)")
            #expect(text.contains("variable 'item' is not defined"), "\(text)")
        }
    }

    @Test func validationKnowsWhatANameHoldsBeforeTheRun() throws {
        let directory = try TemporaryDirectory()
        try directory.write("k.yaml", """
            flow: 1
            model: mock/m
            vars: {doc: "one long text", tickets: [a, b], order: {items: [x]}, given: null}
            steps:
              - {id: a, user: "{{d}}", map: {over: "{{doc}}", as: d}}
              - {id: b, user: "{{t}}", map: {over: "{{tickets}}", as: t, split: {max_tokens: 100}}}
              - {id: c, user: "{{o}}", map: {over: "{{order}}", as: o}}
              - {id: read, user: x, save: summary}
              - {id: e, user: "{{s}}", map: {over: "{{summary}}", as: s}}
              - {id: ok1, user: "{{g}}", map: {over: "{{given}}", as: g}}
              - {id: ok2, user: "{{d}}", map: {over: "{{doc}}", as: d, split: {max_tokens: 100}}, save: parts}
              - {id: ok3, user: "{{p}}", map: {over: "{{parts}}", as: p}}
              - {id: ok4, user: "{{i}}", map: {over: "{{order.items}}", as: i}}
            """)
        do {
            _ = try WorkflowLoader.load(path: directory.path + "/k.yaml")
            Issue.record("loaded")
        } catch {
            let text = error.description
            #expect(text.contains("k.yaml:5:40: error: step 'a' maps over 'doc', which holds text (its default, at line 3) rather than a list"), "\(text)")
            #expect(text.contains("cut the text into chunks with split:"), "\(text)")
            #expect(text.contains("step 'b' splits 'tickets', which is a list already"), "\(text)")
            #expect(text.contains("step 'c' maps over 'order', which holds a mapping"), "\(text)")
            #expect(text.contains("step 'e' maps over 'summary', which holds text (what step 'read' saves (its answer's text; 'parse: json' there would make a JSON array a list))"), "\(text)")
            #expect(!text.contains("step 'ok"), "unknown kinds, a split text, a map's list and a field pass: \(text)")
        }
    }
}
