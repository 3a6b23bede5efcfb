import FlowSource
import FlowTemplate
import FlowTestSupport
import Foundation
import Testing
@testable import FlowCore

/// `after:` — steps side by side, against a transport in OpenAI's wire format that answers
/// "<last user turn>!" after a delay and counts how many requests it holds at once.
@Suite struct SideBySideTests {
    final class SlowServer: HTTPTransport, Sendable {
        struct Counts { var inFlight = 0, most = 0 }
        let counts = Locked(Counts())
        let bodies = Locked<[JSON]>([])

        func send(_ request: HTTPRequest) async throws(ProviderError) -> HTTPResponse {
            counts.withLock { $0.inFlight += 1; $0.most = max($0.most, $0.inFlight) }
            defer { counts.withLock { $0.inFlight -= 1 } }
            let body = (try? JSON.parse(request.body)) ?? .null
            bodies.withLock { $0.append(body) }
            let user = body["messages"]?.array?.last?["content"]?.string ?? ""
            // The first side's answer comes last, so the written order is not the finishing order.
            try? await Task.sleep(for: .milliseconds(user.hasPrefix("pros") ? 120 : 40))
            if user.contains("boom") {
                return HTTPResponse(status: 400, body: Array(OpenAIWire.error(message: "bad", type: "invalid_request_error", code: nil).utf8))
            }
            return HTTPResponse(status: 200, body: Array(OpenAIWire.completion(content: user + "!", promptTokens: 5, completionTokens: 1).utf8))
        }
    }

    static func workflow(cons: String = "cons of {{doc}}", extra: String = "") -> String {
        """
        flow: 1
        model: openai/gpt-4o-mini
        params: {max_tokens: 20}
        vars: {doc: a plan}
        system: Review.
        steps:
          - {id: read, user: "read {{doc}}", save: summary}
          - {id: pros, user: "pros of {{summary}}", save: pros, after: [read]}
          - {id: cons, user: "\(cons)", save: cons, after: [read]}
          - {id: verdict, user: "weigh {{pros}} against {{cons}}", save: verdict, after: [pros, cons]}
          - {id: last, user: "done: {{verdict}}"}
        \(extra)
        """
    }

    func run(_ text: String) async throws -> (RunResult, [JSON], SlowServer) {
        let loaded = try InterpreterTests().loaded(text)
        let server = SlowServer()
        let registry = ProviderRegistry(environment: ["OPENAI_API_KEY": "k"], transport: server, mockReplies: [],
                                        retry: RetryPolicy(maxRetries: 0))
        let transcript = InMemoryTranscript()
        let result = await Interpreter(providers: registry, transcript: transcript).run(loaded, inputs: ["doc": .string("a plan")])
        return (result, transcript.events, server)
    }

    @Test func independentStepsRunAtOnceAndAStepWaitsForThoseItNames() async throws {
        let (result, events, server) = try await run(Self.workflow())
        #expect(result.status == .succeeded, "\(String(describing: result.error?.message))")
        #expect(server.counts.withLock { $0.most } == 2, "pros and cons were in flight together")
        let bodies = server.bodies.current
        let users = bodies.map { $0["messages"]?.array?.last?["content"]?.string ?? "" }
        #expect(users.last == "done: weigh pros of read a plan!! against cons of a plan!!")
        // The side steps each continue the conversation as it stood when the group began…
        let pros = try #require(bodies.first { $0["messages"]?.array?.last?["content"]?.string?.hasPrefix("pros") == true })
        #expect(pros["messages"]?.array?.count == 4, "system, read, its answer, pros")
        // …and none of their answers joins it: the step after the group sees read's turn and its own.
        #expect(bodies.last?["messages"]?.array?.count == 4)
        // Answers and the path are gathered in the written order, whatever order they finished in.
        #expect(result.steps.map(\.id) == ["read", "pros", "cons", "verdict", "last"])
        #expect(result.path.map(\.step) == ["read", "pros", "cons", "verdict", "last"])
        let responses = events.filter { EventType(of: $0) == .response }.compactMap { $0["step"]?.string }
        #expect(responses.firstIndex(of: "cons")! < responses.firstIndex(of: "pros")!, "cons answered first: \(responses)")
    }

    @Test func aFailedStepBesideOthersFailsTheRunNamingIt() async throws {
        let (result, _, _) = try await run(Self.workflow(cons: "boom"))
        #expect(result.status == .failed)
        #expect(result.error?.message.hasPrefix("step 'cons'") == true, "\(String(describing: result.error?.message))")
        #expect(!result.steps.contains { $0.id == "verdict" }, "verdict waits for cons, so it never started")
    }

    func problems(_ text: String) -> String {
        do {
            _ = try InterpreterTests().loaded(text)
            return "loaded"
        } catch {
            return "\(error)"
        }
    }

    @Test func validationRefusesWaitsBelowBranchesOutAndGotosIn() throws {
        let text = problems("""
            flow: 1
            model: mock/m
            steps:
              - {id: a, user: x, after: [b]}
              - {id: b, user: y, after: [bb], on: {stop: end}}
              - {id: c, user: z, on: {stop: {goto: b}}}
              - {id: d, user: w, after: d, save: s}
              - {id: e, user: v, after: [], save: s}
            """)
        #expect(text.contains("4:29: error: step 'a' waits for 'b', which is written below it"), "\(text)")
        #expect(text.contains("a step waits only for steps above it, so waiting never loops"), "\(text)")
        #expect(text.contains("5:29: error: step 'b' waits for 'bb', which is not a step"), "\(text)")
        #expect(text.contains("step 'b' runs side by side, so it ends by going on: 'end' would leave the steps beside it half-run"), "\(text)")
        #expect(text.contains("step 'c' goes to 'b', inside a group of steps side by side"), "\(text)")
        #expect(text.contains("go to the group's first step, 'a'"), "\(text)")
        #expect(text.contains("step 'd' waits for itself"), "\(text)")
        #expect(text.contains("steps 'd' and 'e' run side by side and both save 's'"), "\(text)")
    }

    @Test func aStepBesideAnotherCannotReadWhatItSavesWithoutWaitingForIt() throws {
        let scratch = try TemporaryDirectory(prefix: "flow-side")
        try scratch.write("w.yaml", """
            flow: 1
            model: mock/m
            steps:
              - {id: a, user: x, after: [], save: first}
              - {id: b, user: "{{first}}", after: []}
              - {id: c, user: "{{first}}", after: [a]}
            """)
        do {
            _ = try WorkflowLoader.load(path: scratch.path + "/w.yaml")
            Issue.record("loaded")
        } catch {
            let text = error.description
            #expect(text.contains("w.yaml:5:20: error: variable 'first' is not defined"), "\(text)")
            #expect(text.contains("'first' is saved by step 'a', which runs side by side with this one: add 'a' to its 'after:'"), "\(text)")
            #expect(!text.contains("w.yaml:6:"), "c waits for a, so it may read first: \(text)")
        }
    }
}
