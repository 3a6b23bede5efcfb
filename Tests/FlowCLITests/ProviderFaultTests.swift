import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// Faults from the loopback stub server, each ending in its documented outcome and a transcript
/// that says so.
@Suite struct ProviderFaultTests {
    static let key = "sk-fault-LEAKCHECK"

    struct Outcome {
        var result: FlowBinary.Result
        var events: [JSON]
        var types: [String] { events.compactMap { $0["type"]?.string } }
    }

    func run(_ server: StubServer, model: String = "openai/gpt-4o-mini", options: [String] = []) throws -> Outcome {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", "flow: 1\nmodel: \(model)\nparams: {max_tokens: 20}\nsteps: [{id: ask, user: hi}]\n")
        let result = try FlowBinary.run(["run", "w.yaml", "--json"] + options, in: directory.path, environment: [
            "OPENAI_API_KEY": Self.key, "OPENAI_BASE_URL": server.baseURL + "/v1",
            "ANTHROPIC_API_KEY": Self.key, "ANTHROPIC_BASE_URL": server.baseURL,
            "GEMINI_API_KEY": Self.key, "GEMINI_BASE_URL": server.baseURL,
            "FLOW_RETRY_BASE_DELAY": "0.01",
        ])
        let transcript = try String(contentsOfFile: try #require(try directory.transcripts().first), encoding: .utf8)
        #expect(!transcript.contains(Self.key) && !result.stdout.contains(Self.key) && !result.stderr.contains(Self.key))
        return Outcome(result: result, events: try transcript.split(separator: "\n").map { try JSON.parse(String($0)) })
    }

    /// A server that answers the first request 429 with `Retry-After`, and "fine" after.
    static func limitedOnce(retryAfter: String) throws -> StubServer {
        let calls = CallCounter()
        return try StubServer { _ in
            calls.next() == 1
                ? StubServer.Response(status: 429, headers: [("Content-Type", "application/json"), ("Retry-After", retryAfter)],
                                      body: OpenAIWire.error(message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded"))
                : StubServer.Response(body: OpenAIWire.completion(content: "fine"))
        }
    }

    func errorMessage(_ outcome: Outcome) throws -> String {
        try JSON.parse(outcome.result.stdout)["error"]?["message"]?.string ?? ""
    }

    @Test func rateLimitWithRetryAfterThenSuccess() throws {
        let server = try Self.limitedOnce(retryAfter: "0")
        defer { server.stop() }
        let outcome = try run(server)
        #expect(outcome.result.status == 0)
        // A 429 is a wait, not a retry: it is recorded as one and does not count against --retries.
        #expect(outcome.types == ["run_start", "step_start", "request", "rate_limit_wait", "response", "branch", "run_end"])
        #expect(outcome.events[3]["reason"] == .string("rate_limited"))
        #expect(outcome.events[3]["status"] == .int(429))
        #expect(outcome.events[3]["seconds"] == .double(0))
        // The wait shows on the terminal as it happens, not only in the transcript.
        #expect(outcome.result.stderr.contains("step ask: rate-limited (HTTP 429), sending again in 0.0 s"), "\(outcome.result.stderr)")
    }

    /// On a terminal a wait of some seconds counts down, so the run does not look hung; `script`
    /// (util-linux, in every Debian) gives flow a pseudo-terminal for stderr.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "util-linux's script is not installed, so no terminal to count on"))
    func aLongWaitCountsDownOnATerminal() throws {
        let server = try Self.limitedOnce(retryAfter: "3")
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", "flow: 1\nmodel: openai/gpt-4o-mini\nsteps: [{id: ask, user: hi}]\n")
        let result = try FlowBinary.run(["script", "-qec", "\"$FLOW\" run w.yaml", "/dev/null"], in: directory.path, environment: [
            "OPENAI_API_KEY": Self.key, "OPENAI_BASE_URL": server.baseURL + "/v1", "FLOW": FlowBinary.path, "TERM": "xterm",
        ], executable: "/usr/bin/script")
        #expect(result.status == 0, "\(result.stdout)")
        // script joins the terminal's output on its stdout; each second rewrites the line.
        for left in [3, 2, 1] {
            #expect(result.stdout.contains("\r\u{1B}[Kstep ask: rate-limited (HTTP 429), sending again in \(left) s"), "\(result.stdout.debugDescription)")
        }
        #expect(result.stdout.contains("fine"))
    }

    @Test(arguments: [(500, "openai/gpt-4o-mini"), (503, "gemini/gemini-2.5-flash"), (529, "anthropic/claude-haiku-4-5")])
    func serverErrorsAreRetriedThenReported(status: Int, model: String) throws {
        let server = try StubServer { _ in StubServer.Response(status: status, body: "") }
        defer { server.stop() }
        let outcome = try run(server, model: model, options: ["--retries", "2"])
        #expect(outcome.result.status == 69)
        #expect(server.requests.count == 3)
        #expect(outcome.types.filter { $0 == "retry" }.count == 2)
        #expect(outcome.types.suffix(2) == ["error", "run_end"])
        #expect(try errorMessage(outcome).hasSuffix("answered HTTP \(status)"))
    }

    @Test func slowFirstBytePastTheTimeout() throws {
        let server = try StubServer { _ in StubServer.Response(body: OpenAIWire.completion(content: "late"), delay: 3) }
        defer { server.stop() }
        let outcome = try run(server, options: ["--timeout", "0.5", "--retries", "0"])
        #expect(outcome.result.status == 69)
        // The run's own total timeout fired (its message), not the server's late answer.
        #expect(try errorMessage(outcome).hasSuffix("no complete answer from \(server.baseURL) within 0.5 s (the total timeout)"))
        #expect(outcome.types.suffix(2) == ["error", "run_end"])
    }

    @Test func connectionCutMidStreamIsRetried() throws {
        let stream = String(decoding: try Fixture.bytes("openai/stream-stop.sse"), as: UTF8.self)
        let calls = CallCounter()
        let server = try StubServer { _ in
            calls.next() == 1 ? .events(stream, cutAfter: 300) : .events(stream)
        }
        defer { server.stop() }
        let outcome = try run(server, options: ["--stream"])
        #expect(outcome.result.status == 0, "\(outcome.result.stderr)")
        #expect(try JSON.parse(outcome.result.stdout)["output"] == .string("Hello, wörld! 👋"))
        #expect(outcome.types.contains("retry"))
        #expect(server.requests.last?.bodyText.contains(#""stream":true,"stream_options":{"include_usage":true}"#) == true)
    }

    @Test func streamingOnEveryProvider() throws {
        for (model, fixture, text) in [("anthropic/claude-haiku-4-5", "anthropic/stream-max-tokens.sse", "Hello — and then"),
                                       ("gemini/gemini-2.5-flash", "gemini/stream-stop.sse", "Bonjour le monde.")] {
            let stream = String(decoding: try Fixture.bytes(fixture), as: UTF8.self)
            let server = try StubServer { _ in .events(stream) }
            defer { server.stop() }
            let outcome = try run(server, model: model, options: ["--stream"])
            let step = try JSON.parse(outcome.result.stdout)["steps"]?[0]
            #expect(step?["content"] == .string(text))
            if model.hasPrefix("gemini") {
                #expect(server.requests.first?.path == "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse")
            }
        }
    }

    @Test func compatibleProviderStreams() throws {
        let stream = String(decoding: try Fixture.bytes("openai/stream-stop.sse"), as: UTF8.self)
        let server = try StubServer { _ in .events(stream) }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("flow.config.yaml", "providers:\n  vllm:\n    base_url: \(server.baseURL)/v1\n")
        try directory.write("w.yaml", "flow: 1\nmodel: vllm/qwen\nsteps: [{id: ask, user: hi}]\n")
        let result = try FlowBinary.run(["run", "w.yaml", "--stream", "--json"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        // With --json, stdout holds only the final object even while streaming.
        #expect(try JSON.parse(result.stdout)["output"] == .string("Hello, wörld! 👋"))
        #expect(server.requests.first?.headers["authorization"] == nil)
    }

    @Test func streamedTextIsPrintedAsItArrives() throws {
        let stream = String(decoding: try Fixture.bytes("openai/stream-stop.sse"), as: UTF8.self)
        let server = try StubServer { _ in .events(stream) }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", "flow: 1\nmodel: openai/gpt-4o-mini\nsteps: [{id: ask, user: hi}]\n")
        let result = try FlowBinary.run(["run", "w.yaml", "--stream"], in: directory.path,
                                        environment: ["OPENAI_API_KEY": "k", "OPENAI_BASE_URL": server.baseURL + "/v1"])
        #expect(result.status == 0)
        #expect(result.stdout == "Hello, wörld! 👋\n")
        #expect(result.stderr.hasPrefix("[ask]\n"))
    }

    @Test(arguments: [("{\"choices\": [", "OpenAI answered with a body that is not JSON (invalid JSON at byte 13: unexpected end of input)"),
                      ("", "OpenAI answered with a body that is not JSON (invalid JSON at byte 0: unexpected end of input)")])
    func malformedAndEmptyBodiesAreNotRetried(body: String, message: String) throws {
        let server = try StubServer { _ in StubServer.Response(body: body) }
        defer { server.stop() }
        let outcome = try run(server)
        #expect(outcome.result.status == 69)
        #expect(server.requests.count == 1)
        #expect(try errorMessage(outcome) == "step 'ask': " + message)
    }

    @Test func tenMegabyteAnswer() throws {
        let big = String(repeating: "x", count: 10 << 20)
        let server = try StubServer { _ in StubServer.Response(body: OpenAIWire.completion(content: big)) }
        defer { server.stop() }
        let outcome = try run(server)
        #expect(outcome.result.status == 0)
        #expect(try JSON.parse(outcome.result.stdout)["output"]?.string?.count == 10 << 20)
    }
}
