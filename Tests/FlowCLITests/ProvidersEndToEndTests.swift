import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// `flow run` on every provider against the loopback stub server, with retries recorded and
/// the keys nowhere in what flow writes.
@Suite struct ProvidersEndToEndTests {
    static let keys = ["OPENAI_API_KEY": "sk-openai-LEAKCHECK-1", "ANTHROPIC_API_KEY": "sk-ant-LEAKCHECK-2",
                       "GEMINI_API_KEY": "AIza-LEAKCHECK-3", "LOCAL_LLM_KEY": "local-LEAKCHECK-4"]

    func workflow(_ model: String) -> String {
        """
        flow: 1
        model: \(model)
        params: {temperature: 0.1, max_tokens: 40}
        system: Answer in one word.
        steps:
          - {id: ask, user: "Capital of France?", save: city}
          - {id: again, user: "And of Italy?"}
        output: "{{city}}"
        """
    }

    /// Runs `model` in a fresh project against `server`, and checks no key leaked anywhere.
    func run(_ model: String, server: StubServer, extraFiles: [String: String] = [:],
             environment extra: [String: String] = [:], options: [String] = []) throws -> (FlowBinary.Result, [JSON]) {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", workflow(model))
        for (name, text) in extraFiles { try directory.write(name, text) }
        var environment = Self.keys
        environment["OPENAI_BASE_URL"] = server.baseURL + "/v1"
        environment["ANTHROPIC_BASE_URL"] = server.baseURL
        environment["GEMINI_BASE_URL"] = server.baseURL
        environment["FLOW_RETRY_BASE_DELAY"] = "0.01"
        environment.merge(extra) { _, new in new }
        let result = try FlowBinary.run(["run", "w.yaml", "--json"] + options, in: directory.path, environment: environment)
        let path = try #require(try directory.transcripts().first)
        let transcript = try String(contentsOfFile: path, encoding: .utf8)
        for secret in Self.keys.values {
            #expect(!transcript.contains(secret) && !result.stdout.contains(secret) && !result.stderr.contains(secret),
                    "a key leaked into the records of \(model)")
        }
        return (result, try transcript.split(separator: "\n").map { try JSON.parse(String($0)) })
    }

    @Test func anthropicRoundTrip() throws {
        let server = try StubServer { request in
            StubServer.Response(body: AnthropicWire.message(text: request.bodyText.contains("Italy") ? "Rome" : "Paris",
                                                            input: 20, output: 2, cacheRead: 5))
        }
        defer { server.stop() }
        let (result, events) = try run("anthropic/claude-haiku-4-5", server: server)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        #expect(report["output"] == .string("Paris"))
        #expect(report["totals"]?["input_tokens"] == .int(50))
        #expect(report["totals"]?["output_tokens"] == .int(4))
        // claude-haiku-4-5, per call: 20 × $1/M + 5 cached × $0.10/M + 2 × $5/M = $0.0000305
        #expect(abs((report["totals"]?["cost_usd"]?.double ?? 0) - 0.000061) < 1e-12)
        let request = try #require(server.requests.first)
        #expect(request.path == "/v1/messages")
        #expect(request.headers["x-api-key"] == Self.keys["ANTHROPIC_API_KEY"])
        #expect(request.headers["anthropic-version"] == "2023-06-01")
        #expect(request.bodyText == #"{"model":"claude-haiku-4-5","max_tokens":40,"system":"Answer in one word.","messages":[{"role":"user","content":"Capital of France?"}],"temperature":0.1}"#)
        #expect(events[3]["finish_reason_raw"] == .string("end_turn"))
        #expect(events[3]["usage"]?["cached_input_tokens"] == .int(5))
    }

    @Test func geminiRoundTrip() throws {
        let server = try StubServer { request in
            StubServer.Response(body: GeminiWire.response(text: request.bodyText.contains("Italy") ? "Rome" : "Paris"))
        }
        defer { server.stop() }
        let (result, _) = try run("gemini/gemini-2.5-flash", server: server)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSON.parse(result.stdout)["output"] == .string("Paris"))
        let request = try #require(server.requests.first)
        #expect(request.path == "/v1beta/models/gemini-2.5-flash:generateContent")
        #expect(request.headers["x-goog-api-key"] == Self.keys["GEMINI_API_KEY"])
        #expect(server.requests[1].bodyText.contains(#"{"role":"model","parts":[{"text":"Paris"}]}"#))
    }

    @Test func namedCompatibleProviderFromTheProjectConfig() throws {
        let server = try StubServer { _ in StubServer.Response(body: OpenAIWire.completion(content: "Paris", model: "llama3.2")) }
        defer { server.stop() }
        let config = """
            providers:
              local:
                base_url: \(server.baseURL)/v1
                api_key_env: LOCAL_LLM_KEY
                max_tokens_field: max_tokens
            """
        let (result, events) = try run("local/llama3.2", server: server, extraFiles: ["flow.config.yaml": config])
        #expect(result.status == 0, "\(result.stderr)")
        let request = try #require(server.requests.first)
        #expect(request.headers["authorization"] == "Bearer " + Self.keys["LOCAL_LLM_KEY"]!)
        #expect(request.bodyText.hasSuffix(#""temperature":0.1,"max_tokens":40}"#))
        #expect(events[2]["provider"] == .string("local"))
    }

    @Test func verboseShowsTheWireWithoutKeys() throws {
        let server = try StubServer { _ in StubServer.Response(body: GeminiWire.response(text: "Paris")) }
        defer { server.stop() }
        let (result, _) = try run("gemini/gemini-2.5-flash", server: server, extraFiles: [:], environment: [:], options: ["--verbose"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("→ POST \(server.baseURL)/v1beta/models/gemini-2.5-flash:generateContent\n"))
        #expect(result.stderr.contains("  x-goog-api-key: [redacted]\n"))
        #expect(result.stderr.contains("← HTTP 200"))
    }

    @Test func keyFromAFileNamedInTheConfig() throws {
        let server = try StubServer { _ in StubServer.Response(body: AnthropicWire.message(text: "Paris")) }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", workflow("anthropic/claude-haiku-4-5"))
        try directory.write("anthropic.key", "sk-ant-FROM-FILE\n")
        try directory.write("flow.config.yaml", "key_files:\n  anthropic: anthropic.key\n")
        let result = try FlowBinary.run(["run", "w.yaml"], in: directory.path, environment: ["ANTHROPIC_BASE_URL": server.baseURL])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(server.requests.first?.headers["x-api-key"] == "sk-ant-FROM-FILE")
        let transcript = try String(contentsOfFile: try #require(try directory.transcripts().first), encoding: .utf8)
        #expect(!transcript.contains("sk-ant-FROM-FILE"))
    }

    @Test func retriedAttemptsAreRecordedAndTheRunSucceeds() throws {
        let calls = CallCounter()
        let server = try StubServer { _ in
            calls.next() == 1
                ? StubServer.Response(status: 529, headers: [("Content-Type", "application/json"), ("request-id", "req_overloaded")],
                                      body: AnthropicWire.error(type: "overloaded_error", message: "Overloaded"))
                : StubServer.Response(body: AnthropicWire.message(text: "Paris"))
        }
        defer { server.stop() }
        let (result, events) = try run("anthropic/claude-haiku-4-5", server: server)
        #expect(result.status == 0, "\(result.stderr)")
        let retry = try #require(events.first { $0["type"] == .string("retry") })
        #expect(retry["step"] == .string("ask"))
        #expect(retry["attempt"] == .int(1))
        #expect(retry["status"] == .int(529))
        #expect(retry["error"] == .string("Anthropic answered HTTP 529: Overloaded (overloaded_error) [request req_overloaded]"))
    }

    @Test func unretryableErrorExits69WithOneParagraph() throws {
        let server = try StubServer { _ in
            StubServer.Response(status: 400, body: #"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT"}}"#)
        }
        defer { server.stop() }
        let (result, events) = try run("gemini/gemini-2.5-flash", server: server)
        #expect(result.status == 69)
        #expect(server.requests.count == 1)
        #expect(try JSON.parse(result.stdout)["error"]?["message"] == .string("step 'ask': Gemini answered HTTP 400: API key not valid. Please pass a valid API key. (INVALID_ARGUMENT)"))
        #expect(!events.contains { $0["type"] == .string("retry") })
    }

    @Test func missingKeyForALaterStepStopsBeforeTheFirstRequest() throws {
        let server = try StubServer { _ in StubServer.Response(body: OpenAIWire.completion(content: "x")) }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", "flow: 1\nmodel: openai/gpt-4o-mini\nparams: {max_tokens: 5}\nsteps:\n  - {id: a, user: hi}\n  - {id: b, user: hi, model: anthropic/claude-haiku-4-5}\n")
        let result = try FlowBinary.run(["run", "w.yaml"], in: directory.path,
                                        environment: ["OPENAI_API_KEY": "k", "OPENAI_BASE_URL": server.baseURL + "/v1"])
        #expect(result.status == 69)
        #expect(result.stderr.contains("error: step 'b': ANTHROPIC_API_KEY is not set"))
        #expect(server.requests.isEmpty)
    }

    @Test func capabilityErrorStopsBeforeAnyRequest() throws {
        let server = try StubServer { _ in StubServer.Response(body: "") }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", "flow: 1\nmodel: openai/o3-mini\nparams: {temperature: 0.5}\nsteps: [{id: a, user: hi}]\n")
        let result = try FlowBinary.run(["run", "w.yaml"], in: directory.path,
                                        environment: ["OPENAI_API_KEY": "k", "OPENAI_BASE_URL": server.baseURL + "/v1"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("error: step 'a': o3-mini is a reasoning model and rejects temperature: remove it from the step's params\n"))
        #expect(server.requests.isEmpty)
    }
}

final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
    }
}

/// Gemini's blocked-prompt answer with only a `blockReasonMessage` is a content filter a
/// workflow branches on, not a provider error.
@Suite struct GeminiBlockedPromptTests {
    @Test func aMessageOnlyBlockBranchesToContentFilter() throws {
        let body = String(decoding: try Fixture.bytes("gemini/generate-prompt-blocked-message-only.json"), as: UTF8.self)
        let server = try StubServer { _ in StubServer.Response(body: body) }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", """
            flow: 1
            model: gemini/gemini-2.5-flash
            params: {max_tokens: 50}
            steps:
              - {id: ask, user: something risky, on: {content_filter: {goto: apologise}}}
              - {id: never, user: skipped}
              - {id: apologise, user: say sorry, model: mock/m}
            mock: ["Sorry, I cannot help with that."]
            """)
        let result = try FlowBinary.run(["run", "w.yaml", "--json"], in: directory.path,
                                        environment: ["GEMINI_API_KEY": "k-gemini-test-123", "GEMINI_BASE_URL": server.baseURL])
        #expect(result.status == 0, "\(result.stdout)")
        let report = try JSON.parse(result.stdout)
        #expect(report["path"]?.array?.first?["finish_reason"] == .string("content_filter"))
        #expect(report["steps"]?.array?.first?["finish_reason_raw"] == .string("prompt_blocked:The prompt was blocked by the safety system."))
        #expect(report["output"] == .string("Sorry, I cannot help with that."))
    }
}
