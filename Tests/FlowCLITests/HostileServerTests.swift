import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// Servers that attack: redirecting keys elsewhere, echoing them back, hiding them in URLs,
/// flooding streams, sending compression bombs, absurd token counts and malformed answers.
@Suite struct HostileServerTests {
    /// Not key-shaped on purpose: only the exact-value redaction can catch it.
    static let key = "k-hostile-0123456789abcdef"

    static let models = ["openai/gpt-4o-mini", "anthropic/claude-haiku-4-5", "gemini/gemini-2.5-flash"]

    func environment(_ server: StubServer, extra: [String: String] = [:]) -> [String: String] {
        ["OPENAI_API_KEY": Self.key, "OPENAI_BASE_URL": server.baseURL + "/v1",
         "ANTHROPIC_API_KEY": Self.key, "ANTHROPIC_BASE_URL": server.baseURL,
         "GEMINI_API_KEY": Self.key, "GEMINI_BASE_URL": server.baseURL,
         "FLOW_RETRY_BASE_DELAY": "0.01"].merging(extra) { $1 }
    }

    func project(model: String = "openai/gpt-4o-mini", extra: String = "") throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", """
            flow: 1
            model: \(model)
            params: {max_tokens: 20}
            steps: [{id: ask, user: hi}]
            tests: [{name: one, expect: [{contains: fine}]}]
            \(extra)
            """)
        return directory
    }

    /// Every place a run leaves text: stdout, stderr, transcripts, and what flow show prints.
    func everything(_ result: FlowBinary.Result, in directory: TemporaryDirectory) throws -> String {
        var all = result.stdout + result.stderr
        for transcript in try directory.transcripts() {
            all += try String(contentsOfFile: transcript, encoding: .utf8)
            all += try FlowBinary.run(["show", transcript], in: directory.path).stdout
        }
        return all
    }

    @Test(arguments: models)
    func keysDoNotFollowRedirects(model: String) throws {
        let elsewhere = try StubServer { _ in StubServer.Response(body: OpenAIWire.completion(content: "fine")) }
        defer { elsewhere.stop() }
        let server = try StubServer { request in
            StubServer.Response(status: 307, headers: [("Location", elsewhere.baseURL + request.path + "?api-key=leak")], body: "")
        }
        defer { server.stop() }
        let directory = try project(model: model)
        let result = try FlowBinary.run(["run", "w.yaml", "--json"], in: directory.path, environment: environment(server))
        #expect(result.status == 69)
        #expect(elsewhere.requests.isEmpty, "nothing, and so no key, went to the other host")
        let message = try JSON.parse(result.stdout)["error"]?["message"]?.string ?? ""
        #expect(message.contains("answered HTTP 307 with a redirect to \(elsewhere.baseURL)"), "\(message)")
        #expect(message.contains("api-key=[redacted]") && message.contains("does not follow redirects"))
        #expect(server.requests.count == 1, "a redirect is not retried")
    }

    @Test func echoedKeysAreRedactedEverywhere() throws {
        let server = try StubServer { request in
            request.bodyText.contains("again")
                ? StubServer.Response(body: OpenAIWire.completion(content: "fine, your key is \(Self.key) and sk-proj-abcdefghijklmnopqrstuvwx"))
                : StubServer.Response(status: 401, body: OpenAIWire.error(message: "Incorrect API key provided: \(Self.key). Find yours at …",
                                                                          type: "invalid_request_error", code: "invalid_api_key"))
        }
        defer { server.stop() }
        let directory = try project()
        let failed = try FlowBinary.run(["run", "w.yaml", "--json", "--verbose"], in: directory.path, environment: environment(server))
        #expect(failed.status == 69)
        #expect(failed.stdout.contains("Incorrect API key provided: [redacted]"))
        try directory.write("w.yaml", "flow: 1\nmodel: openai/gpt-4o-mini\nsteps: [{id: ask, user: again}]\ntests: [{name: one, expect: [{contains: nope}]}]\n")
        let succeeded = try FlowBinary.run(["run", "w.yaml", "--verbose"], in: directory.path, environment: environment(server))
        #expect(succeeded.status == 0)
        let tested = try FlowBinary.run(["test", "w.yaml", "--live", "--record", "--json", "--junit", "junit.xml"], in: directory.path,
                                        environment: environment(server))
        let junit = try String(contentsOfFile: directory.path + "/junit.xml", encoding: .utf8)
        let cassette = try String(contentsOfFile: directory.path + "/w.cassette.json", encoding: .utf8)
        let all = try everything(failed, in: directory) + everything(succeeded, in: directory) + tested.stdout + tested.stderr + junit
            + cassette
        #expect(!all.contains(Self.key), "the configured key appears nowhere")
        #expect(!all.contains("sk-proj-abcdefghijklmnopqrstuvwx"), "nor a key-shaped string inside a JSON string")
        #expect(all.contains("[redacted]"))
    }

    @Test func keysInBaseURLsAreNeverRecordedOrPrinted() throws {
        let server = try StubServer { _ in StubServer.Response(body: OpenAIWire.completion(content: "fine")) }
        defer { server.stop() }
        let directory = try project()
        let base = server.baseURL.replacingOccurrences(of: "http://", with: "http://user:PASSWORD-in-url-42@") + "/v1?api-key=QUERYKEY-123456"
        let env = environment(server, extra: ["OPENAI_BASE_URL": base])
        let result = try FlowBinary.run(["run", "w.yaml", "--verbose"], in: directory.path, environment: env)
        let rendered = try FlowBinary.run(["render", "w.yaml", "--provider", "openai"], in: directory.path, environment: env)
        let all = try everything(result, in: directory) + rendered.stdout + rendered.stderr
        #expect(!all.contains("PASSWORD-in-url-42"))
        #expect(!all.contains("QUERYKEY-123456"))
        #expect(rendered.stdout.contains("http://[redacted]@127.0.0.1"), "\(rendered.stdout)")
    }

    @Test func partialsDirectoriesStayInsideTheProject() throws {
        let directory = try TemporaryDirectory()
        try directory.write("flow.config.yaml", "providers: []\n")
        try directory.write("w.yaml", "flow: 1\nmodel: mock/m\npartials: /etc\nsteps: [{id: a, user: \"{{> passwd}}\"}]\nmock: [x]\n")
        let result = try FlowBinary.run(["validate", "w.yaml"], in: directory.path)
        #expect(result.status == 65)
        #expect(result.stderr.contains("w.yaml:3:11: error: partials directory '/etc' is outside the project directory"))
        try directory.write("w.yaml", "flow: 1\nmodel: mock/m\npartials: /\nvars: {p: passwd}\nsteps: [{id: a, user: \"{{> *p}}\"}]\nmock: [x]\n")
        #expect(try FlowBinary.run(["validate", "w.yaml"], in: directory.path).status == 65)
    }

    /// A server sending 512 MiB of SSE as fast as loopback carries it, every `interval` seconds a chunk.
    func floodServer(interval: Double = 0) throws -> StubServer {
        let delta = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + String(repeating: "x", count: 65_000) + "\"}}]}\n\n"
        return try StubServer { _ in
            var response = StubServer.Response(headers: [("Content-Type", "text/event-stream")], body: "")
            response.flood = (Array(delta.utf8), 512 << 20)
            response.floodInterval = interval
            return response
        }
    }

    /// The flood ends at the cap with a placed error, streamed or read whole, and under a 4 GB
    /// address-space limit too (where it once died of SIGILL, a failed allocation in Data).
    @Test(arguments: [["--stream"], [], ["--stream", "ulimit"]])
    func aFloodStopsAtTheSizeCap(_ flags: [String]) throws {
        let server = try floodServer()
        defer { server.stop() }
        let directory = try project()
        let limited = flags.contains("ulimit")
        let arguments = ["run", "w.yaml", "--json", "--timeout", "5", "--retries", "0"] + flags.filter { $0 != "ulimit" }
        let command = limited ? ["sh", "-c", "ulimit -v 4000000 && exec \"$FLOW\" \"$@\"", "sh"] + arguments : arguments
        let result = try FlowBinary.run(command, in: directory.path, environment: environment(server, extra: ["FLOW": FlowBinary.path]),
                                        executable: limited ? "/bin/sh" : nil)
        #expect(result.status == 69, "\(result.stderr)")
        let message = try JSON.parse(result.stdout.split(separator: "\n").last.map(String.init) ?? "")["error"]?["message"]?.string ?? ""
        #expect(message.contains("step 'ask'") && message.contains("larger than 67108864 bytes"), "\(message)")
    }

    /// A flood too slow to reach the cap before the total timeout ends at the timeout, however
    /// many chunks URLSession still holds for the delegate.
    @Test func aPacedFloodEndsAtTheTimeout() throws {
        let server = try floodServer(interval: 0.005)
        defer { server.stop() }
        let directory = try project()
        let started = Date()
        let result = try FlowBinary.run(["run", "w.yaml", "--stream", "--json", "--timeout", "2", "--retries", "0"], in: directory.path,
                                        environment: environment(server))
        #expect(result.status == 69)
        let message = try JSON.parse(result.stdout.split(separator: "\n").last.map(String.init) ?? "")["error"]?["message"]?.string ?? ""
        #expect(message.contains("within 2 s (the total timeout)"), "\(message)")
        // Not a timing benchmark (make bench h measures it): only that the run was not held
        // for the whole flood, which at this pace takes over 40 s.
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test func aGzipBombIsRefusedUnread() throws {
        let bomb = try Self.gzip(zeros: 200 << 20)
        #expect(bomb.count < 1 << 20)
        let server = try StubServer { _ in
            var response = StubServer.Response(headers: [("Content-Type", "application/json"), ("Content-Encoding", "gzip")], body: "")
            response.body = bomb
            return response
        }
        defer { server.stop() }
        let directory = try project()
        let result = try FlowBinary.run(["run", "w.yaml", "--json", "--retries", "0"], in: directory.path, environment: environment(server))
        #expect(result.status == 69)
        let message = try JSON.parse(result.stdout)["error"]?["message"]?.string ?? ""
        #expect(message.contains("sent a 'gzip'-compressed answer although flow asked for none"), "\(message)")
        #expect(server.requests.first?.headers["accept-encoding"] == "identity")
    }

    /// `head -c N /dev/zero | gzip`, made here rather than committed.
    static func gzip(zeros count: Int) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "head -c \(count) /dev/zero | gzip -c"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return [UInt8](data)
    }

    @Test(arguments: [
        (#""prompt_tokens":9223372036854775807"#, "prompt_tokens"),
        (#""prompt_tokens":-5"#, "prompt_tokens"),
        (#""prompt_tokens":1e30"#, "prompt_tokens"),
    ])
    func absurdTokenCountsAreDecodeErrors(usage: String, field: String) throws {
        let body = OpenAIWire.completion(content: "fine").replacingOccurrences(of: #""prompt_tokens":10"#, with: usage)
        let server = try StubServer { _ in StubServer.Response(body: body) }
        defer { server.stop() }
        let directory = try project()
        let result = try FlowBinary.run(["run", "w.yaml", "--json"], in: directory.path, environment: environment(server))
        #expect(result.status == 69, "a decode error, not a crash: \(result.stderr)")
        let message = try JSON.parse(result.stdout)["error"]?["message"]?.string ?? ""
        #expect(message.contains("OpenAI's usage field '\(field)'") && message.contains("not a token count from 0 to 2^40"), "\(message)")
    }

    @Test func flowCostSurvivesHostileTranscripts() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/.flow/runs", withIntermediateDirectories: true)
        for name in ["a", "b"] {
            try directory.write(".flow/runs/\(name).jsonl", """
                {"type":"run_start","name":"w","started_at":"2026-11-25T00:00:00Z"}
                {"type":"response","usage":{"input_tokens":9223372036854775807,"output_tokens":-9223372036854775807},"cost_usd":1e308}
                """ + "\n")
        }
        let result = try FlowBinary.run(["cost", "--json"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSON.parse(result.stdout)["workflow"]?[0]?["input_tokens"] == .int(Int.max), "saturated, not overflowed")
    }

    @Test(arguments: [["--timeout", "inf"], ["--timeout", "1e20"], ["--timeout", "nan"], ["--timeout", "-1"]])
    func absurdOptionsAreUsageErrors(option: [String]) throws {
        let directory = try project(model: "mock/m", extra: "mock: [fine]")
        let result = try FlowBinary.run(["run", "w.yaml"] + option, in: directory.path)
        #expect(result.status == 64, "\(result.stderr)")
    }

    @Test(arguments: ["-1", "nan", "inf", "1e300", "soon"])
    func absurdRetryDelaysAreUsageErrors(value: String) throws {
        let directory = try project(model: "mock/m", extra: "mock: [fine]")
        for command in [["run", "w.yaml"], ["test", "w.yaml"]] {
            let result = try FlowBinary.run(command, in: directory.path, environment: ["FLOW_RETRY_BASE_DELAY": value])
            #expect(result.status == 64)
            #expect(result.stderr.contains("FLOW_RETRY_BASE_DELAY takes seconds from 0 to 60, got '\(value)'"))
        }
    }

    @Test(arguments: ["inf", "nan", "1e300", "-3"])
    func absurdRetryAfterHeadersDoNotCrash(value: String) throws {
        let calls = Locked(0)
        let server = try StubServer { _ in
            calls.withLock { $0 += 1 }
            return calls.current == 1
                ? StubServer.Response(status: 429, headers: [("Content-Type", "application/json"), ("Retry-After", value)],
                                      body: OpenAIWire.error(message: "slow down", type: "requests", code: "rate_limit_exceeded"))
                : StubServer.Response(body: OpenAIWire.completion(content: "fine"))
        }
        defer { server.stop() }
        let directory = try project()
        let result = try FlowBinary.run(["run", "w.yaml"], in: directory.path, environment: environment(server))
        #expect(result.status == 0, "\(result.stderr)")
    }
}
