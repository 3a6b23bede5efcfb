import Foundation
import FlowKit
import FlowTestSupport
import Testing

/// FlowKit, the library apps run workflows with, used only through its public API (no
/// `@testable`): against the loopback stub speaking OpenAI's documented chat-completions
/// format, through an app's own transport, from a cassette, streamed and cancelled.
@Suite struct FlowKitTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory(prefix: "flowkit")
        try directory.write("triage.yaml", """
            flow: 1
            name: triage
            model: openai/gpt-4o-mini
            vars:
              ticket: null
              tone: friendly
            steps:
              - id: classify
                user: "Classify this ticket as JSON {\\"label\\": …}: {{ticket}}"
                schema: {type: object, properties: {label: {type: string}}, required: [label]}
                save: verdict
              - id: reply
                user: "Write a {{tone}} reply for a {{verdict.label}} ticket."
            """)
    }

    var environment: [String: String] { ["OPENAI_API_KEY": "sk-test-flowkit-0000"] }

    @Test func aRunGivesTheOutputTheParsedValueThePathTokensAndCost() async throws {
        let server = try StubServer { request in
            let body = request.bodyText
            return StubServer.Response(body: OpenAIWire.completion(content: body.contains("Write a") ? "We will refund you." : #"{"label": "billing"}"#,
                                                                   promptTokens: 20, completionTokens: 6))
        }
        defer { server.stop() }
        let workflow = try FlowWorkflow.load(path: directory.path + "/triage.yaml")
        #expect(workflow.inputs == [FlowInput(name: "ticket", defaultValue: nil), FlowInput(name: "tone", defaultValue: "friendly")])
        let runner = FlowRunner(environment: environment.merging(["OPENAI_BASE_URL": server.baseURL + "/v1"]) { $1 })
        let result = try await runner.run(workflow, inputs: ["ticket": "I was charged twice."])
        #expect(result.output == "We will refund you.")
        #expect(result.path == ["classify", "reply"])
        #expect(result.step("classify")?.value == ["label": "billing"])
        #expect(result.step("reply")?.value == nil, "a step without parse/schema has no value")
        #expect(result.inputTokens == 40 && result.outputTokens == 12)
        #expect((result.costUSD ?? 0) > 0, "gpt-4o-mini has a price")
        #expect(result.finishReason == "stop")
        // The second request rendered the saved value and the default input.
        #expect(server.requests.last?.bodyText.contains("Write a friendly reply for a billing ticket.") == true)
    }

    @Test func inputsAreCheckedBeforeAnythingIsSent() async throws {
        let workflow = try FlowWorkflow.load(path: directory.path + "/triage.yaml")
        let runner = FlowRunner(environment: environment, transport: FailingTransport())
        await #expect { try await runner.run(workflow) } throws: { ($0 as? FlowError)?.kind == .input && "\($0)".contains("input 'ticket' is required") }
        await #expect { try await runner.run(workflow, inputs: ["ticket": "x", "tonee": "warm"]) } throws: {
            ($0 as? FlowError)?.kind == .input && "\($0)".contains("no input 'tonee'")
        }
        #expect(throws: FlowError.self) { try FlowWorkflow.load(path: directory.path + "/missing.yaml") }
    }

    @Test func anAppsTransportSeesTheProvidersWireFormatAndAnAppsSinkSeesNoKey() async throws {
        let transport = ScriptedTransport(answers: [#"{"label": "bug"}"#, "Thanks, we are on it."])
        let sink = CollectingSink()
        let workflow = try FlowWorkflow.load(path: directory.path + "/triage.yaml")
        let result = try await FlowRunner(environment: environment, transport: transport, transcript: .custom(sink))
            .run(workflow, inputs: ["ticket": "The app crashes."])
        #expect(result.output == "Thanks, we are on it.")
        let requests = transport.requests
        #expect(requests.count == 2)
        #expect(requests[0].url == "https://api.openai.com/v1/chat/completions")
        #expect(requests[0].headers.contains { $0.name.lowercased() == "authorization" && $0.value == "Bearer sk-test-flowkit-0000" })
        let body = try #require(try JSONSerialization.jsonObject(with: Data(requests[0].body)) as? [String: Any])
        #expect(body["model"] as? String == "gpt-4o-mini")
        #expect((body["response_format"] as? [String: Any])?["type"] as? String == "json_schema", "the schema step asks for structured output")
        let events = sink.events
        #expect(events.first?.0 == "run_start" && events.last?.0 == "run_end")
        #expect(!events.contains { $0.1.contains("sk-test-flowkit-0000") }, "no API key in any record")
    }

    @Test func aRecordedCassetteReplaysWithNoNetwork() async throws {
        let workflow = try FlowWorkflow.load(path: directory.path + "/triage.yaml")
        let recording = try FlowCassette.beside(workflow, mode: .record)
        _ = try await FlowRunner(environment: environment, transport: ScriptedTransport(answers: [#"{"label": "billing"}"#, "Refunded."]), cassette: recording)
            .run(workflow, inputs: ["ticket": "charged twice"])
        try recording.save()
        #expect(FileManager.default.fileExists(atPath: directory.path + "/triage.cassette.json"))
        let replayed = try await FlowRunner(environment: [:], transport: FailingTransport(), cassette: try FlowCassette.beside(workflow, mode: .replay))
            .run(workflow, inputs: ["ticket": "charged twice"])
        #expect(replayed.output == "Refunded." && replayed.steps.allSatisfy(\.offline))
        // A prompt the cassette does not hold fails; it never goes to the network.
        await #expect { try await FlowRunner(environment: [:], transport: FailingTransport(), cassette: try FlowCassette.beside(workflow, mode: .replay))
            .run(workflow, inputs: ["ticket": "something else"]) } throws: { ($0 as? FlowError)?.kind == .run && "\($0)".contains("no recording") }
    }

    @Test func aStreamedRunYieldsTextThenStepsThenTheResult() async throws {
        let chunks = ["Hel", "lo ", "there"].map { piece in
            #"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"\#(piece)"},"finish_reason":null}]}"#
        } + [#"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
             #"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}"#,
             "data: [DONE]"]
        let server = try StubServer { _ in StubServer.Response.events(chunks.joined(separator: "\n\n") + "\n\n") }
        defer { server.stop() }
        try directory.write("hello.yaml", "flow: 1\nname: hello\nmodel: openai/gpt-4o-mini\nsteps:\n  - id: greet\n    user: Say hello.\n")
        let workflow = try FlowWorkflow.load(path: directory.path + "/hello.yaml")
        var texts: [String] = []
        var kinds: [String] = []
        for try await event in FlowRunner(environment: environment.merging(["OPENAI_BASE_URL": server.baseURL + "/v1"]) { $1 }).stream(workflow) {
            switch event {
            case .text(_, let text): texts.append(text); kinds.append("text")
            case .step(let step): kinds.append("step:" + step.id)
            case .finished(let result): kinds.append("finished"); #expect(result.output == "Hello there" && result.outputTokens == 3)
            }
        }
        #expect(texts.joined() == "Hello there" && texts.count >= 2, "\(texts)")
        #expect(kinds.drop { $0 == "text" } == ["step:greet", "finished"], "\(kinds)")
    }

    @Test func cancellingTheTaskStopsTheRunWithoutRetrying() async throws {
        let arrivals = Arrivals()
        let server = try StubServer { _ in
            arrivals.add()
            return StubServer.Response(body: OpenAIWire.completion(content: "late"), delay: 30)
        }
        defer { server.stop() }
        try directory.write("slow.yaml", "flow: 1\nname: slow\nmodel: openai/gpt-4o-mini\nsteps:\n  - id: wait\n    user: Take your time.\n")
        let workflow = try FlowWorkflow.load(path: directory.path + "/slow.yaml")
        let runner = FlowRunner(environment: environment.merging(["OPENAI_BASE_URL": server.baseURL + "/v1"]) { $1 })
        let task = Task { try await runner.run(workflow) }
        // Cancel once the request is at the server, whatever the machine's load.
        for _ in 0..<100 where arrivals.count == 0 { try await Task.sleep(nanoseconds: 50_000_000) }
        let cancelled = Date()
        task.cancel()
        let outcome = await task.result
        // Well before the answer (30 s away); the margin is for a test process whose other
        // suites keep the cooperative pool busy.
        #expect(Date().timeIntervalSince(cancelled) < 20, "the run ended when cancelled, not when the answer came")
        guard case .failure(let error) = outcome else { Issue.record("a cancelled run returned a result"); return }
        #expect((error as? FlowError)?.kind == .cancelled, "\(error)")
        try await Task.sleep(nanoseconds: 500_000_000)
        #expect(arrivals.count == 1, "no retry after the cancel")
    }
}

/// Counts requests as they reach a stub server.
final class Arrivals: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
}

/// Answers each request with the next scripted text in OpenAI's format, keeping the requests.
final class ScriptedTransport: FlowTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [String]
    private var seen: [FlowHTTPRequest] = []
    init(answers: [String]) { self.answers = answers }
    var requests: [FlowHTTPRequest] { lock.withLock { seen } }
    func send(_ request: FlowHTTPRequest) async throws -> FlowHTTPResponse {
        let answer: String = lock.withLock {
            seen.append(request)
            return answers.isEmpty ? "" : answers.removeFirst()
        }
        return FlowHTTPResponse(status: 200, headers: ["content-type": "application/json"], body: Array(OpenAIWire.completion(content: answer).utf8))
    }
}

/// A transport that must not be used.
struct FailingTransport: FlowTransport {
    struct Unreachable: Error {}
    func send(_ request: FlowHTTPRequest) async throws -> FlowHTTPResponse { throw Unreachable() }
}

/// Keeps each event's type and its fields as text.
final class CollectingSink: FlowTranscriptSink, @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [(String, String)] = []
    var events: [(String, String)] { lock.withLock { kept } }
    func record(event: String, fields: [(String, FlowValue)]) {
        let text = fields.map { $0.0 + "=" + $0.1.description }.joined(separator: " ")
        lock.withLock { kept.append((event, text)) }
    }
}
