import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// `openai-responses/…` end to end against the stub speaking the Responses format: the same
/// round trip, faults, streaming and tool loop the Chat Completions adapter is held to.
@Suite struct ResponsesEndToEndTests {
    static let key = "sk-responses-LEAKCHECK"

    static func response(_ output: String, status: String = "completed", extra: String = "") -> String {
        #"{"id":"resp_1","object":"response","created_at":1,"status":"\#(status)",\#(extra)"model":"gpt-5-2025-08-07","output":[\#(output)],"usage":{"input_tokens":12,"output_tokens":5,"total_tokens":17}}"#
    }

    static func text(_ text: String) -> String {
        #"{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"\#(text)","annotations":[]}]}"#
    }

    func run(_ server: StubServer, workflow: String = "flow: 1\nmodel: openai-responses/gpt-5\nparams: {max_tokens: 50}\nsteps: [{id: ask, user: hi}]\n",
             files: [String: String] = [:], options: [String] = []) throws -> (FlowBinary.Result, [JSON]) {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", workflow)
        for (name, text) in files { try directory.write(name, text) }
        let result = try FlowBinary.run(["run", "w.yaml", "--json"] + options, in: directory.path, environment: [
            "OPENAI_API_KEY": Self.key, "OPENAI_BASE_URL": server.baseURL + "/v1", "FLOW_RETRY_BASE_DELAY": "0.01",
        ])
        let transcript = try String(contentsOfFile: try #require(try directory.transcripts().first), encoding: .utf8)
        #expect(!transcript.contains(Self.key) && !result.stdout.contains(Self.key) && !result.stderr.contains(Self.key))
        return (result, try transcript.split(separator: "\n").map { try JSON.parse(String($0)) })
    }

    @Test func roundTripWithAnIncompleteAnswerAsLength() throws {
        let server = try StubServer { _ in
            StubServer.Response(body: Self.response(Self.text("Hello"), status: "incomplete", extra: #""incomplete_details":{"reason":"max_output_tokens"},"#))
        }
        defer { server.stop() }
        let (result, events) = try run(server, workflow: "flow: 1\nmodel: openai-responses/gpt-5\nparams: {max_tokens: 50}\nsystem: Be brief.\nsteps: [{id: ask, user: hi, on: {length: end}}]\n")
        #expect(result.status == 0, "\(result.stderr)")
        let request = try #require(server.requests.first)
        #expect(request.path == "/v1/responses" && request.headers["authorization"] == "Bearer \(Self.key)")
        let body = try JSON.parse(request.body)
        #expect(body["store"] == .bool(false) && body["instructions"] == .string("Be brief.") && body["max_output_tokens"] == .int(50))
        let response = try #require(events.first { $0["type"]?.string == "response" })
        #expect(response["finish_reason"] == .string("length") && response["finish_reason_raw"] == .string("incomplete: max_output_tokens"))
    }

    @Test func serverErrorsAndRateLimitsAreRetriedAndWaitedOut() throws {
        let calls = CallCounter()
        let server = try StubServer { _ in
            switch calls.next() {
            case 1: StubServer.Response(status: 500, body: "")
            case 2: StubServer.Response(status: 429, headers: [("Content-Type", "application/json"), ("Retry-After", "0")],
                                        body: OpenAIWire.error(message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded"))
            default: StubServer.Response(body: Self.response(Self.text("fine")))
            }
        }
        defer { server.stop() }
        let (result, events) = try run(server)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSON.parse(result.stdout)["output"] == .string("fine"))
        #expect(events.compactMap { $0["type"]?.string }.filter { $0 == "retry" || $0 == "rate_limit_wait" } == ["retry", "rate_limit_wait"])
        #expect(server.requests.count == 3)
    }

    @Test func streamsTheTextAsItComes() throws {
        let completed = Self.response(Self.text("Hello, wörld!"))
        let stream = [
            #"event: response.created\#ndata: {"type":"response.created","response":{"id":"resp_1","status":"in_progress","output":[]}}"#,
            #"event: response.output_text.delta\#ndata: {"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"Hello, "}"#,
            #"event: response.output_text.delta\#ndata: {"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"wörld!"}"#,
            "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":\(completed)}",
        ].joined(separator: "\n\n") + "\n\n"
        let server = try StubServer { _ in .events(stream) }
        defer { server.stop() }
        let (result, _) = try run(server, options: ["--stream"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSON.parse(result.stdout)["output"] == .string("Hello, wörld!"))
        #expect(server.requests.first?.bodyText.contains(#""stream":true"#) == true)
    }

    static var stream: String {
        [
            #"event: response.output_text.delta\#ndata: {"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"Hello, "}"#,
            #"event: response.output_text.delta\#ndata: {"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"wörld!"}"#,
            "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":\(response(text("Hello, wörld!")))}",
        ].joined(separator: "\n\n") + "\n\n"
    }

    @Test func aStreamCutBeforeItsClosingEventIsRetried() throws {
        let calls = CallCounter()
        let server = try StubServer { _ in calls.next() == 1 ? .events(Self.stream, cutAfter: 120) : .events(Self.stream) }
        defer { server.stop() }
        let (result, events) = try run(server, options: ["--stream"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSON.parse(result.stdout)["output"] == .string("Hello, wörld!"))
        #expect(events.contains { $0["type"]?.string == "retry" } && server.requests.count == 2)
    }

    @Test(arguments: [("{\"output\": [", "OpenAI answered with a body that is not JSON (invalid JSON at byte 12: unexpected end of input)"),
                      ("{}", "OpenAI's answer has no status or output: not a Responses object")])
    func malformedBodiesAreNotRetried(body: String, message: String) throws {
        let server = try StubServer { _ in StubServer.Response(body: body) }
        defer { server.stop() }
        let (result, _) = try run(server)
        #expect(result.status == 69)
        #expect(server.requests.count == 1)
        #expect(try JSON.parse(result.stdout)["error"]?["message"]?.string == "step 'ask': " + message)
    }

    @Test func slowFirstBytePastTheTimeout() throws {
        let server = try StubServer { _ in StubServer.Response(body: Self.response(Self.text("late")), delay: 3) }
        defer { server.stop() }
        let (result, _) = try run(server, options: ["--timeout", "0.5", "--retries", "0"])
        #expect(result.status == 69)
        #expect(try JSON.parse(result.stdout)["error"]?["message"]?.string?.hasSuffix("within 0.5 s (the total timeout)") == true)
    }

    @Test func aToolLoopSendsFunctionCallOutputs() throws {
        let server = try StubServer { request in
            StubServer.Response(body: request.bodyText.contains("function_call_output")
                                ? Self.response(Self.text("It is 18 C."))
                                : Self.response(#"{"type":"function_call","id":"fc_1","call_id":"call_7","name":"weather","arguments":"{\"city\":\"Paris\"}","status":"completed"}"#))
        }
        defer { server.stop() }
        let workflow = """
            flow: 1
            model: openai-responses/gpt-5
            params: {max_tokens: 50}
            tools:
              weather:
                description: The weather in a city.
                parameters: {type: object, properties: {city: {type: string}}}
                run: [sh, weather.sh]
            steps: [{id: ask, user: "Weather in Paris?", tools: [weather]}]
            """
        let (result, _) = try run(server, workflow: workflow, files: ["weather.sh": "cat >/dev/null; echo 18 C"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSON.parse(result.stdout)["output"] == .string("It is 18 C."))
        let second = try JSON.parse(try #require(server.requests.last).body)["input"]?.array ?? []
        #expect(second.map { $0["type"]?.string ?? $0["role"]?.string ?? "?" } == ["user", "function_call", "function_call_output"])
        #expect(second.last?["call_id"] == .string("call_7") && second.last?["output"] == .string("18 C\n"))
        #expect(try JSON.parse(try #require(server.requests.first).body)["tools"]?[0]?["name"] == .string("weather"))
    }
}
