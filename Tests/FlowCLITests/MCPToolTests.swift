import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// Tools from an MCP server no one here wrote: the reference time server from PyPI
/// (`mcp-server-time`), started over stdio by `flow run`, its tools listed, filtered by the
/// allowlist, offered to the model in OpenAI's wire format (the loopback stub plays the model),
/// called, recorded; then replayed with no server at all.
@Suite struct MCPToolTests {
    static let hasTimeServer = PythonModules.available("mcp_server_time")

    static func workflow(command: String, timeout: String = "") -> String {
        """
        flow: 1
        model: openai/gpt-4o-mini
        params: {max_tokens: 50}
        mcp:
          - {name: time, command: \(command), allow: [get_current_time]\(timeout)}
        steps:
          - {id: ask, user: "What time is it in UTC?", tools: [time.*]}
        """
    }

    static let toolCall = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,\
        "message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",\
        "function":{"name":"time__get_current_time","arguments":"{\\"timezone\\":\\"UTC\\"}"}}]},"finish_reason":"tool_calls"}],\
        "usage":{"prompt_tokens":20,"completion_tokens":8,"total_tokens":28}}
        """

    @Test(.enabled(if: hasTimeServer, Comment(rawValue: PythonModules.missing("mcp-server-time"))))
    func aServersToolIsListedOfferedCalledRecordedAndReplayedWithoutTheServer() throws {
        // The model asks for the tool; given its result, it answers with the result's text.
        let server = try StubServer { request in
            guard request.bodyText.contains(#""role":"tool""#) else { return StubServer.Response(body: Self.toolCall) }
            let body = (try? JSON.parse(request.bodyText)) ?? .null
            let result = body["messages"]?.array?.last?["content"]?.string ?? ""
            return StubServer.Response(body: OpenAIWire.completion(content: "The tool said: " + result))
        }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", Self.workflow(command: "[\(PythonModules.executable), -m, mcp_server_time, --local-timezone, UTC]"))
        let recorded = try FlowBinary.run(["run", "w.yaml", "--record"], in: directory.path,
                                          environment: ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.baseURL + "/v1"])
        server.stop()
        #expect(recorded.status == 0, "\(recorded.stderr)")
        #expect(recorded.stdout.contains(#""timezone": "UTC""#) && recorded.stdout.contains(#""datetime": "20"#), "\(recorded.stdout)")
        // Offered as the server describes it, under a name providers take; convert_time is not allowed.
        let first = try JSON.parse(server.requests[0].bodyText)
        let offered = first["tools"]?.array ?? []
        #expect(offered.compactMap { $0["function"]?["name"]?.string } == ["time__get_current_time"], "\(offered)")
        #expect(offered.first?["function"]?["parameters"]?["required"] == .array([.string("timezone")]))
        #expect(offered.first?["function"]?["description"]?.string == "Get current time in a specific timezone")

        // flow mcp list shows what the server offers, and what allow: leaves out.
        let listed = try FlowBinary.run(["mcp", "list", "w.yaml"], in: directory.path)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("  time.get_current_time  Get current time in a specific timezone\n"), "\(listed.stdout)")
        #expect(listed.stdout.contains("  time.convert_time  (not in allow:)"), "\(listed.stdout)")

        // The server is gone (its command names nothing): the replay needs none.
        try directory.write("w.yaml", Self.workflow(command: "[no-such-mcp-server]"))
        let replayed = try FlowBinary.run(["run", "w.yaml", "--replay"], in: directory.path)
        #expect(replayed.status == 0, "\(replayed.stderr)")
        #expect(replayed.stdout == recorded.stdout)
    }

    @Test func aServerThatCannotStartOrHangsIsAPlacedErrorNamingIt() throws {
        let directory = try TemporaryDirectory()
        let environment = ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"]
        try directory.write("w.yaml", Self.workflow(command: "[no-such-mcp-server]"))
        let missing = try FlowBinary.run(["run", "w.yaml"], in: directory.path, environment: environment)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("w.yaml:5:12: error: MCP server 'time' exited (status 127: 'no-such-mcp-server' was not found on PATH) before answering"),
                "\(missing.stderr)")
        try directory.write("w.yaml", Self.workflow(command: #"[python3, -c, "import time; time.sleep(30)"]"#, timeout: ", timeout: 1"))
        let hung = try FlowBinary.run(["run", "w.yaml"], in: directory.path, environment: environment)
        #expect(hung.status == 1)
        #expect(hung.stderr.contains("error: MCP server 'time' did not answer initialize within 1.0 s"), "\(hung.stderr)")
        try directory.write("w.yaml", Self.workflow(command: #"[python3, -c, "print('hello, not JSON')"]"#))
        let garbage = try FlowBinary.run(["run", "w.yaml"], in: directory.path, environment: environment)
        #expect(garbage.stderr.contains("error: MCP server 'time' wrote a line that is not JSON: hello, not JSON"), "\(garbage.stderr)")
    }

    @Test func validationChecksTheServersAndTheNamesStepsOffer() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", """
            flow: 1
            model: mock/m
            mcp:
              - {name: time, command: [mcp-server-time], allow: [get_current_time]}
              - {name: git}
            steps:
              - {id: a, user: hi, tools: [tme.get_current_time]}
              - {id: b, user: hi, tools: [time.convert_time]}
            """)
        let result = try FlowBinary.run(["validate", "w.yaml"], in: directory.path)
        #expect(result.status == 65)
        #expect(result.stderr.contains("MCP server 'git' needs 'command:'"), "\(result.stderr)")
        #expect(result.stderr.contains("step 'a' offers 'tme.get_current_time', but no MCP server 'tme' is declared"), "\(result.stderr)")
        #expect(result.stderr.contains("did you mean 'time'?"), "\(result.stderr)")
        #expect(result.stderr.contains("step 'b' offers 'time.convert_time', which server 'time' does not allow"), "\(result.stderr)")

        // A server declared once in flow.config.yaml serves every workflow of the project.
        let project = try TemporaryDirectory()
        try project.write("flow.config.yaml", "mcp:\n  - {name: clock, command: [mcp-server-time], allow: [get_current_time]}\n")
        try project.write("uses.yaml", "flow: 1\nmodel: mock/m\nsteps:\n  - {id: a, user: hi, tools: [clock.get_current_time]}\nmock: [ok]\n")
        try project.write("refused.yaml", "flow: 1\nmodel: mock/m\nsteps:\n  - {id: a, user: hi, tools: [clock.convert_time]}\n")
        let uses = try FlowBinary.run(["validate", "uses.yaml"], in: project.path)
        #expect(uses.status == 0, "\(uses.stderr)")
        let refused = try FlowBinary.run(["validate", "refused.yaml"], in: project.path)
        #expect(refused.stderr.contains("step 'a' offers 'clock.convert_time', which server 'clock' does not allow"), "\(refused.stderr)")
    }

    static let hasSDK = PythonModules.available("mcp.server.mcpserver")
    static let edgeServer = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python/edge_server.py").path

    /// A workflow whose one step offers every tool of the server `server` declares (its YAML
    /// after the list's `- `), asking what `--var ask=…` says.
    static func edgeWorkflow(_ server: String) -> String {
        """
        flow: 1
        model: openai/gpt-4o-mini
        params: {max_tokens: 50}
        vars: {ask: null}
        mcp:
          - \(server)
        steps:
          - {id: ask, user: "{{ask}}", tools: [edge.*]}
        """
    }

    /// The model calls the tool its turn names (`use picture {}`) and then answers with the result.
    static func toolPlayingModel() throws -> StubServer {
        try StubServer { request in
            let body = (try? JSON.parse(request.bodyText)) ?? .null
            let last = body["messages"]?.array?.last
            if last?["role"]?.string == "tool" {
                return StubServer.Response(body: OpenAIWire.completion(content: "result: " + (last?["content"]?.string ?? "")))
            }
            let words = (last?["content"]?.string ?? "").split(separator: " ", maxSplits: 2).map(String.init)
            let arguments = words.count > 2 ? words[2] : "{}"
            let call = #"{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"edge__\#(words[1])","arguments":\#(JSON.string(arguments).serialized)}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5,"completion_tokens":5,"total_tokens":10}}"#
            return StubServer.Response(body: call)
        }
    }

    @Test(.enabled(if: hasSDK, Comment(rawValue: PythonModules.missing("mcp (the Python SDK)"))))
    func imagesErrorsSlowCallsAndACrashMidCallComeBackAsToolResults() throws {
        let model = try Self.toolPlayingModel()
        defer { model.stop() }
        let directory = try TemporaryDirectory()
        // The timeout bounds initialize too: under a loaded machine (the whole suite at once)
        // Python and the SDK take more than 2 s to start, so 6 s, still under the slow tool's 10.
        try directory.write("w.yaml", Self.edgeWorkflow("{name: edge, command: [\(PythonModules.executable), \(Self.edgeServer)], timeout: 6}"))
        let environment = ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": model.baseURL + "/v1"]
        func ask(_ text: String) throws -> FlowBinary.Result {
            try FlowBinary.run(["run", "w.yaml", "--var", "ask=" + text], in: directory.path, environment: environment)
        }
        let picture = try ask("use picture")
        #expect(picture.stdout == "result: a red pixel\n[image image/png, 33 bytes]\n", "\(picture.stdout) \(picture.stderr)")
        let refused = try ask(#"use refuse {"reason": "no"}"#)
        #expect(refused.status == 0 && refused.stdout.hasPrefix("result: Error executing tool refuse"), "\(refused.stdout) \(refused.stderr)")
        let slow = try ask(#"use slow {"seconds": 10}"#)
        #expect(slow.stdout == "result: MCP server 'edge' did not answer tools/call within 6.0 s\n", "\(slow.stdout) \(slow.stderr)")
        // --verbose shows what the server says while it works; without it, nothing of it.
        let chatty = try FlowBinary.run(["run", "w.yaml", "--var", "ask=use chatty", "--verbose"], in: directory.path, environment: environment)
        #expect(chatty.stdout == "result: done talking\n", "\(chatty.stderr.suffix(600))")
        #expect(chatty.stderr.contains("MCP server 'edge' [info]: warming up"), "\(chatty.stderr.suffix(800))")
        #expect(chatty.stderr.contains("MCP server 'edge' progress 1/2: halfway") || chatty.stderr.contains("MCP server 'edge' progress 1.0/2.0: halfway"),
                "\(chatty.stderr.suffix(800))")
        let quiet = try ask("use chatty")
        #expect(!quiet.stderr.contains("warming up"))
        let crashed = try ask("use crash")
        #expect(crashed.stdout == "result: MCP server 'edge' exited (status 3) before answering\n", "\(crashed.stdout) \(crashed.stderr)")
        // Each result was an error result the model saw, in the transcript as such.
        let runs = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/.flow/runs").sorted()
        let last = try TranscriptReader.read(directory.path + "/.flow/runs/" + runs.last!)
        #expect(last.all(.toolResult).first?["is_error"] == .bool(true))
    }

    /// A free loopback port: one the kernel gave a listener that has just been closed.
    static func freePort() throws -> Int {
        let probe = try StubServer { _ in StubServer.Response(body: "") }
        let port = Int(probe.baseURL.split(separator: ":").last ?? "") ?? 0
        probe.stop()
        return port
    }

    @Test(.enabled(if: hasSDK, Comment(rawValue: PythonModules.missing("mcp (the Python SDK)"))))
    func aStreamableHTTPServerIsReachedWithItsHeadersAndSession() throws {
        let port = try Self.freePort()
        let token = "edge-secret-\(UUID().uuidString.prefix(8))"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PythonModules.executable)
        process.arguments = [Self.edgeServer, "--http", String(port)]
        process.environment = ProcessInfo.processInfo.environment.merging(["EDGE_TOKEN": token]) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.terminate() }
        // Ready when it accepts a connection.
        for _ in 0..<100 {
            if (try? String(contentsOf: URL(string: "http://127.0.0.1:\(port)/mcp")!, encoding: .utf8)) != nil { break }
            if let _ = try? Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/")!) { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let model = try Self.toolPlayingModel()
        defer { model.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", Self.edgeWorkflow(
            #"{name: edge, url: "http://127.0.0.1:\#(port)/mcp", headers: {Authorization: "Bearer {{env.EDGE_TOKEN}}"}, allow: [picture, whoami]}"#))
        var environment = ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": model.baseURL + "/v1", "EDGE_TOKEN": token]
        let picture = try FlowBinary.run(["run", "w.yaml", "--var", "ask=use picture", "--record"], in: directory.path, environment: environment)
        #expect(picture.stdout == "result: a red pixel\n[image image/png, 33 bytes]\n", "\(picture.stdout) \(picture.stderr)")
        // The token reached the server (it refuses requests without it) and no record holds it.
        let cassette = try String(contentsOfFile: directory.path + "/w.cassette.json", encoding: .utf8)
        #expect(!cassette.contains(token) && cassette.contains("edge__picture"))
        environment["EDGE_TOKEN"] = "wrong-token-value"
        let refused = try FlowBinary.run(["run", "w.yaml", "--var", "ask=use whoami"], in: directory.path, environment: environment)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("error: MCP server 'edge' answered HTTP 401: unauthorized"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("wrong-token-value"))
    }
}
