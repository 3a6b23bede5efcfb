import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// `flow run` as a process: the offline demo, and a real HTTP round trip to the loopback stub
/// server speaking OpenAI's wire format.
@Suite struct RunEndToEndTests {
    static let secret = "sk-e2e-DO-NOT-LEAK-0123456789"

    static let workflow = """
        flow: 1
        name: e2e
        model: openai/gpt-4o-mini
        params: {temperature: 0.1, max_tokens: 64, seed: 5}
        vars: {city: null}
        system: You answer in one line.
        steps:
          - id: ask
            user: "What is {{city}} known for?"
            save: answer
          - id: shorten
            user: "Shorter: {{answer}}"
        output: "{{answer}}"
        """

    func lines(_ path: String) throws -> [JSON] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { try JSON.parse(String($0)) }
    }

    @Test func offlineDemoRuns() throws {
        let directory = try TemporaryDirectory()
        let result = try FlowBinary.run(["run", FlowBinary.repository + "/workflows/hello.yaml"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Hello Ada! Welcome to Swift.\n"))
        #expect(result.stdout.contains("\nExercise: write a function"))
        let transcripts = try directory.transcripts()
        #expect(transcripts.count == 1)
        #expect(result.stderr.hasSuffix("transcript: .flow/runs/\((transcripts[0] as NSString).lastPathComponent)\n"))
    }

    /// A workflow file with a one-character name: Foundation's NSString trapped on it
    /// (deletingLastPathComponent of "w"), and `flow run w` ended with SIGILL.
    @Test func aOneCharacterFileNameRuns() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: hi}]\nmock: [ok]\n")
        let result = try FlowBinary.run(["run", "w"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ok\n")
        #expect(try directory.transcripts().count == 1)
    }

    @Test func realHTTPRoundTripWithJSONOutputAndTranscript() throws {
        let server = try StubServer { request in
            let shorten = request.bodyText.contains("Shorter:")
            return StubServer.Response(body: OpenAIWire.completion(content: shorten ? "Bridges." : "Lisbon is known for trams and tiles.",
                                                                   promptTokens: shorten ? 40 : 25, completionTokens: shorten ? 2 : 9))
        }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("e2e.yaml", Self.workflow)
        let result = try FlowBinary.run(["run", "e2e.yaml", "--var", "city=Lisbon", "--json"], in: directory.path,
                                        environment: ["OPENAI_API_KEY": Self.secret, "OPENAI_BASE_URL": server.baseURL + "/v1"])
        #expect(result.status == 0, "\(result.stderr)")

        // What went over the wire.
        let requests = server.requests
        #expect(requests.count == 2)
        #expect(requests.allSatisfy { $0.path == "/v1/chat/completions" && $0.headers["authorization"] == "Bearer " + Self.secret })
        #expect(requests[0].bodyText == #"{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You answer in one line."},{"role":"user","content":"What is Lisbon known for?"}],"temperature":0.1,"max_completion_tokens":64,"seed":5}"#)
        #expect(requests[1].bodyText.contains(#"{"role":"assistant","content":"Lisbon is known for trams and tiles."},{"role":"user","content":"Shorter: Lisbon is known for trams and tiles."}"#))

        // What scripts read.
        let report = try JSON.parse(result.stdout.trimmingCharacters(in: .newlines))
        #expect(report["status"] == .string("succeeded"))
        #expect(report["output"] == .string("Lisbon is known for trams and tiles."))
        #expect(report["steps"]?[0]?["id"] == .string("ask"))
        #expect(report["steps"]?[0]?["finish_reason"] == .string("stop"))
        #expect(report["steps"]?[0]?["finish_reason_raw"] == .string("stop"))
        #expect(report["steps"]?[1]?["content"] == .string("Bridges."))
        #expect(report["steps"]?[1]?["usage"] == .object([("input_tokens", .int(40)), ("output_tokens", .int(2))]))
        #expect(report["totals"]?["calls"] == .int(2))
        #expect(report["totals"]?["input_tokens"] == .int(65))
        #expect(report["totals"]?["output_tokens"] == .int(11))
        // gpt-4o-mini: (25 + 40) × $0.15/M + (9 + 2) × $0.60/M
        #expect(abs((report["totals"]?["cost_usd"]?.double ?? 0) - 0.00001635) < 1e-12)
        #expect(report["steps"]?[0]?["cost_usd"]?.double.map { abs($0 - 0.00000915) < 1e-12 } == true)
        let transcriptPath = try #require(report["transcript"]?.string)

        // What the record holds.
        let events = try lines(directory.path + "/" + transcriptPath)
        #expect(events.map { $0["type"]?.string ?? "" } == ["run_start", "step_start", "request", "response", "branch",
                                                            "step_start", "request", "response", "branch", "run_end"])
        #expect(events[0]["workflow_sha256"] == .string(SHA256.hex(Self.workflow)))
        #expect(events[0]["inputs"] == .object([("city", .string("Lisbon"))]))
        #expect(events[3]["usage"]?["input_tokens"] == .int(25))
        // The wire body as sent (no headers, so no key) and the provider's raw answer.
        #expect(events[2]["wire"]?["url"] == .string(server.baseURL + "/v1/chat/completions"))
        #expect(events[2]["wire"]?["body"]?["max_completion_tokens"] == .int(64))
        #expect(events[3]["raw"]?["system_fingerprint"] == .string("fp_stub"))
        #expect((events[3]["latency_ms"]?.double ?? -1) >= 0)
        #expect(events[9]["status"] == .string("succeeded"))
        #expect(events[9]["path"] == report["path"])
        #expect(report["path"]?.serialized == #"[{"step":"ask","finish_reason":"stop","action":"next"},{"step":"shorten","finish_reason":"stop","action":"next"}]"#)
        let permissions = try FileManager.default.attributesOfItem(atPath: directory.path + "/" + transcriptPath)[.posixPermissions] as? Int
        #expect(permissions == 0o600)

        // The key is nowhere but the Authorization header.
        let transcriptText = try String(contentsOfFile: directory.path + "/" + transcriptPath, encoding: .utf8)
        for text in [transcriptText, result.stdout, result.stderr] { #expect(!text.contains(Self.secret)) }
    }

    @Test func truncatedAnswerFailsWithExit1AndJSONError() throws {
        let server = try StubServer { _ in
            StubServer.Response(body: OpenAIWire.completion(content: "Lisbon is", finishReason: "length"))
        }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("e2e.yaml", Self.workflow)
        let result = try FlowBinary.run(["run", "e2e.yaml", "--var", "city=Lisbon", "--json"], in: directory.path,
                                        environment: ["OPENAI_API_KEY": Self.secret, "OPENAI_BASE_URL": server.baseURL + "/v1"])
        #expect(result.status == 1)
        let report = try JSON.parse(result.stdout.trimmingCharacters(in: .newlines))
        #expect(report["status"] == .string("failed"))
        #expect(report["output"] == .null)
        #expect(report["steps"]?[0]?["finish_reason"] == .string("length"))
        #expect(report["error"]?["message"] == .string("step 'ask' finished with 'length' (raw 'length'): the answer was truncated at the token limit"))
        #expect(report["error"]?["step"] == .string("ask"))
        #expect(server.requests.count == 1)
        let events = try lines(try #require(try directory.transcripts().first))
        #expect(events.last?["status"] == .string("failed"))
    }

    @Test func providerErrorExits69WithoutTheKey() throws {
        let server = try StubServer { _ in
            StubServer.Response(status: 401, body: OpenAIWire.error(message: "Incorrect API key provided: sk-e2e-****6789.", type: "invalid_request_error", code: "invalid_api_key"))
        }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("e2e.yaml", Self.workflow)
        let result = try FlowBinary.run(["run", "e2e.yaml", "--var", "city=Lisbon"], in: directory.path,
                                        environment: ["OPENAI_API_KEY": Self.secret, "OPENAI_BASE_URL": server.baseURL + "/v1"])
        #expect(result.status == 69)
        #expect(result.stderr.contains("error: step 'ask': OpenAI answered HTTP 401: Incorrect API key provided: sk-e2e-****6789. (invalid_api_key)\n"))
        #expect(!result.stderr.contains(Self.secret))
    }

    @Test func missingKeyAndMissingVariable() throws {
        let directory = try TemporaryDirectory()
        try directory.write("e2e.yaml", Self.workflow)
        let noVar = try FlowBinary.run(["run", "e2e.yaml"], in: directory.path)
        #expect(noVar.status == 64)
        #expect(noVar.stderr.hasPrefix("Error: variable 'city' is required: pass --var city=VALUE\n"))
        let noKey = try FlowBinary.run(["run", "e2e.yaml", "--var", "city=x"], in: directory.path)
        #expect(noKey.status == 69)
        #expect(noKey.stderr.contains("error: step 'ask': OPENAI_API_KEY is not set: export it to run 'openai/gpt-4o-mini', or use a mock model offline\n"))
    }

    @Test func invalidWorkflowWithJSONStillPrintsJSON() throws {
        let directory = try TemporaryDirectory()
        try directory.write("bad.yaml", "flow: 1\nsteps: [{id: a, user: hi, model: mock/x, sav: x}]\n")
        let result = try FlowBinary.run(["run", "bad.yaml", "--json"], in: directory.path)
        #expect(result.status == 65)
        let report = try JSON.parse(result.stdout.trimmingCharacters(in: .newlines))
        #expect(report["status"] == .string("invalid"))
        #expect(report["errors"]?[0]?["message"] == .string("unknown key 'sav' in a step"))
        #expect(report["errors"]?[0]?["hint"] == .string("did you mean 'save'?"))
    }
}
