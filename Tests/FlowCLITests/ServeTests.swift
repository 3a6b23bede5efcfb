import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import FlowTestSupport
import Testing
@testable import FlowCore

/// `flow serve` as a client meets it: the real binary on a free loopback port, driven over HTTP
/// with URLSession; live models answered by the loopback stub in OpenAI's documented format.
@Suite(.serialized) struct ServeTests {
    /// A running `flow serve`, stopped when the value goes away.
    final class Server: @unchecked Sendable {
        let process = Process()
        let port: Int
        private let errors = Pipe()
        private let log = Locked("")

        init(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws {
            process.executableURL = URL(fileURLWithPath: FlowBinary.path)
            process.arguments = ["serve"] + arguments + ["--port", "0"]
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            var env = ProcessInfo.processInfo.environment
            for key in env.keys where key.hasSuffix("_API_KEY") || key.hasPrefix("FLOW_") || key.hasSuffix("_BASE_URL") { env[key] = nil }
            process.environment = env.merging(environment) { $1 }
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            let log = self.log
            errors.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                if !data.isEmpty { log.withLock { $0 += String(decoding: data, as: UTF8.self) } }
            }
            try process.run()
            var found: Int?
            for _ in 0..<200 where found == nil {
                if let match = log.current.firstMatch(of: /on http:\/\/127\.0\.0\.1:(\d+)/) { found = Int(match.1) }
                if !process.isRunning { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            guard let found else { throw ServeFailure(log: log.current) }
            port = found
        }

        var stderr: String { log.current }
        var base: String { "http://127.0.0.1:\(port)" }

        func terminate() { process.terminate() }

        /// Waits for the process to end; its status.
        func wait(seconds: Double = 10) -> Int32? {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            return process.isRunning ? nil : process.terminationStatus
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            errors.fileHandleForReading.readabilityHandler = nil
        }
    }

    struct ServeFailure: Error { var log: String }

    static func request(_ url: String, method: String = "GET", body: String? = nil, headers: [String: String] = [:]) async throws -> (Int, String, [String: String]) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.timeoutInterval = 20
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields { fields[String(describing: key).lowercased()] = String(describing: value) }
        return (http.statusCode, String(decoding: data, as: UTF8.self), fields)
    }

    /// A project: a mock workflow with defaults, one with a required input on a live model.
    static func project() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(prefix: "flow-serve")
        try FileManager.default.createDirectory(atPath: directory.path + "/workflows", withIntermediateDirectories: true)
        try directory.write("workflows/greet.yaml", """
            flow: 1
            name: greet
            description: Greets someone.
            model: mock/scripted
            mock: ["Hello there!"]
            vars: {person: Ada}
            steps:
              - id: hello
                user: "Greet {{person}}."
            """)
        try directory.write("workflows/ask.yaml", """
            flow: 1
            name: ask
            model: openai/gpt-4o-mini
            vars: {question: null}
            steps:
              - id: answer
                user: "{{question}}"
            """)
        try directory.write("notes.yaml", "not: a workflow\n")
        return directory
    }

    @Test func listsRunsAndStreamsTheProjectsWorkflows() async throws {
        let directory = try Self.project()
        let stub = try StubServer(keepAlive: true) { request in
            StubServer.Response(body: OpenAIWire.completion(content: request.bodyText.contains("capital") ? "Paris." : "?"))
        }
        defer { stub.stop() }
        let server = try Server(["workflows"], in: directory.path, environment: ["OPENAI_API_KEY": "sk-serve-test-0000", "OPENAI_BASE_URL": stub.baseURL + "/v1"])
        defer { server.terminate() }
        #expect(server.stderr.contains("flow serve: 2 workflows on http://127.0.0.1:") && server.stderr.contains("(loopback only, no token)"), "\(server.stderr)")

        let (status, list, _) = try await Self.request(server.base + "/v1/workflows")
        #expect(status == 200)
        let listing = try JSON.parse(list)
        let names = listing["workflows"]?.array?.compactMap { $0["name"]?.string }
        #expect(names == ["ask", "greet"])
        let ask = listing["workflows"]?.array?.first
        #expect(ask?["input_schema"]?["required"] == .array([.string("question")]))
        #expect(ask?["vars"]?[0]?["required"] == .bool(true))

        let (ran, report, _) = try await Self.request(server.base + "/v1/workflows/ask/runs", method: "POST", body: #"{"vars": {"question": "What is the capital of France?"}}"#)
        #expect(ran == 200, "\(report)")
        let result = try JSON.parse(report)
        #expect(result["status"]?.string == "succeeded" && result["output"]?.string == "Paris.")
        let transcriptPath = result["transcript"]?.string ?? ""
        #expect(transcriptPath.contains(".flow/runs/"), "transcripts go where flow run puts them")
        let transcript = try String(contentsOfFile: transcriptPath.hasPrefix("/") ? transcriptPath : directory.path + "/" + transcriptPath, encoding: .utf8)
        #expect(transcript.contains("\"run_end\"") && !transcript.contains("sk-serve-test-0000"))

        let (streamed, events, headers) = try await Self.request(server.base + "/v1/workflows/greet/runs", method: "POST", body: #"{"vars": {"person": "Grace"}}"#,
                                                                headers: ["Accept": "text/event-stream"])
        #expect(streamed == 200 && headers["content-type"] == "text/event-stream")
        let names2 = events.split(separator: "\n").filter { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) }
        #expect(names2.first == "start" && names2.last == "end" && names2.contains("step"), "\(events)")

        // Refusals name the fix.
        let (missing, missingBody, _) = try await Self.request(server.base + "/v1/workflows/ask/runs", method: "POST", body: "{}")
        #expect(missing == 422 && missingBody.contains("input 'question' is required"))
        let (typo, typoBody, _) = try await Self.request(server.base + "/v1/workflows/gret/runs", method: "POST", body: "{}")
        #expect(typo == 404 && typoBody.contains("did you mean 'greet'"), "\(typoBody)")
        let (method, _, allow) = try await Self.request(server.base + "/v1/workflows/greet/runs")
        #expect(method == 405 && allow["allow"] == "POST")
        let (health, _, _) = try await Self.request(server.base + "/healthz")
        let (ready, readyBody, _) = try await Self.request(server.base + "/readyz")
        #expect(health == 200 && ready == 200 && readyBody.contains("\"workflows\":2"))
    }

    @Test func bearerTokensBodyLimitsAndPerClientConcurrency() async throws {
        let directory = try Self.project()
        let arrived = Locked(0)
        let stub = try StubServer(keepAlive: true) { _ in
            arrived.withLock { $0 += 1 }
            return StubServer.Response(body: OpenAIWire.completion(content: "slow answer"), delay: 1.5)
        }
        defer { stub.stop() }
        try directory.write("tokens.txt", "# who may call\ntoken-file-one\n")
        let server = try Server(["workflows", "--tokens-file", "tokens.txt", "--per-client", "1", "--max-body", "200"], in: directory.path,
                                environment: ["FLOW_SERVE_TOKENS": "token-env-one,token-env-two", "OPENAI_API_KEY": "sk-serve-test-0000", "OPENAI_BASE_URL": stub.baseURL + "/v1"])
        defer { server.terminate() }
        #expect(server.stderr.contains("(bearer tokens required)"))
        let (none, _, challenge) = try await Self.request(server.base + "/v1/workflows")
        #expect(none == 401 && challenge["www-authenticate"] == "Bearer")
        let (wrong, _, _) = try await Self.request(server.base + "/v1/workflows", headers: ["Authorization": "Bearer token-env-on"])
        #expect(wrong == 401)
        for token in ["token-env-one", "token-env-two", "token-file-one"] {
            let (allowed, _, _) = try await Self.request(server.base + "/v1/workflows", headers: ["Authorization": "Bearer " + token])
            #expect(allowed == 200, "\(token)")
        }
        // Probes need no token.
        #expect(try await Self.request(server.base + "/healthz").0 == 200)
        let (large, largeBody, _) = try await Self.request(server.base + "/v1/workflows/ask/runs", method: "POST",
                                                           body: #"{"vars": {"question": ""# + String(repeating: "x", count: 300) + #""}}"#,
                                                           headers: ["Authorization": "Bearer token-env-one"])
        #expect(large == 413 && largeBody.contains("over the limit of 200"), "\(largeBody)")

        // One client, two runs at once, --per-client 1: one runs, one is told to wait; another client is not held up.
        let url = server.base + "/v1/workflows/ask/runs"
        async let first = Self.request(url, method: "POST", body: #"{"vars": {"question": "one"}}"#, headers: ["Authorization": "Bearer token-env-one"])
        // The first run holds its place once its request reaches the model.
        for _ in 0..<200 where arrived.current == 0 { try await Task.sleep(nanoseconds: 25_000_000) }
        async let second = Self.request(url, method: "POST", body: #"{"vars": {"question": "two"}}"#, headers: ["Authorization": "Bearer token-env-one"])
        async let other = Self.request(url, method: "POST", body: #"{"vars": {"question": "three"}}"#, headers: ["Authorization": "Bearer token-env-two"])
        let results = try await [first, second, other]
        #expect(results.map(\.0) == [200, 429, 200], "\(results.map { $0.1 })")
        #expect(results[1].2["retry-after"] == "1")
        #expect(!server.stderr.contains("token-env-one"), "no token in what the server prints")
    }

    @Test func withoutTokensItRefusesToListenBeyondLoopback() throws {
        let directory = try Self.project()
        let result = try FlowBinary.run(["serve", "workflows", "--host", "0.0.0.0", "--port", "0"], in: directory.path)
        #expect(result.status == 64 && result.stderr.contains("listens on loopback only"), "\(result.stderr)")
    }

    @Test func aChangedWorkflowReloadsAndABrokenOneKeepsItsLastGoodVersion() async throws {
        let directory = try Self.project()
        let server = try Server(["workflows"], in: directory.path)
        defer { server.terminate() }
        let url = server.base + "/v1/workflows/greet/runs"
        #expect(try JSON.parse(try await Self.request(url, method: "POST", body: "{}").1)["output"]?.string == "Hello there!")
        let original = try String(contentsOfFile: directory.path + "/workflows/greet.yaml", encoding: .utf8)
        try directory.write("workflows/greet.yaml", original.replacingOccurrences(of: "Hello there!", with: "Welcome back!"))
        var output: String?
        for _ in 0..<60 where output != "Welcome back!" {
            try await Task.sleep(nanoseconds: 100_000_000)
            output = try JSON.parse(try await Self.request(url, method: "POST", body: "{}").1)["output"]?.string
        }
        #expect(output == "Welcome back!", "\(server.stderr)")
        // A bad edit: the last good version keeps serving, and the listing says why.
        try directory.write("workflows/greet.yaml", original.replacingOccurrences(of: "model: mock/scripted", with: "model: [oops"))
        var stale: JSON?
        for _ in 0..<60 where stale == nil {
            try await Task.sleep(nanoseconds: 100_000_000)
            stale = try JSON.parse(try await Self.request(server.base + "/v1/workflows").1)["workflows"]?.array?.first { $0["name"]?.string == "greet" }?["stale"]
        }
        #expect(stale?.string?.contains("greet.yaml:") == true, "\(String(describing: stale))")
        #expect(try JSON.parse(try await Self.request(url, method: "POST", body: "{}").1)["output"]?.string == "Welcome back!")
        #expect(server.stderr.contains("no longer validates; still serving its last good version"))
    }

    @Test func sigtermFinishesTheRunsInFlightAndTakesNoMore() async throws {
        let directory = try Self.project()
        let arrived = Locked(0)
        let stub = try StubServer(keepAlive: true) { _ in
            arrived.withLock { $0 += 1 }
            return StubServer.Response(body: OpenAIWire.completion(content: "finished anyway"), delay: 1.5)
        }
        defer { stub.stop() }
        let server = try Server(["workflows"], in: directory.path, environment: ["OPENAI_API_KEY": "sk-serve-test-0000", "OPENAI_BASE_URL": stub.baseURL + "/v1"])
        let url = server.base + "/v1/workflows/ask/runs"
        async let inFlight = Self.request(url, method: "POST", body: #"{"vars": {"question": "slow"}}"#)
        // SIGTERM once the run is under way (its request at the model).
        for _ in 0..<200 where arrived.current == 0 { try await Task.sleep(nanoseconds: 25_000_000) }
        kill(server.process.processIdentifier, SIGTERM)
        let (status, body, _) = try await inFlight
        #expect(status == 200 && body.contains("finished anyway"), "the accepted run was not lost: \(body)")
        #expect(server.wait() == 0, "\(server.stderr)")
        #expect(server.stderr.contains("SIGTERM: not taking new runs") && server.stderr.contains("1 runs served"), "\(server.stderr)")
        await #expect(throws: (any Error).self) { _ = try await Self.request(url, method: "POST", body: #"{"vars": {"question": "late"}}"#) }
    }
    /// Sends a request a few bytes at a time, as a slow client does; the status, or nil.
    static func slowRequest(port: Int, _ text: String, pause: Double) -> Int? {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { return nil }
        for piece in Array(text.utf8).chunked(8) {
            if piece.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) <= 0 { return nil }
            Thread.sleep(forTimeInterval: pause)
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 12 else { return nil }
        return Int(String(decoding: buffer[9..<12], as: UTF8.self))
    }

    @Test func underMixedLoadASigtermLosesNoAcceptedRun() async throws {
        let directory = try Self.project()
        let server = try Server(["workflows", "--per-client", "4", "--max-body", "1000"], in: directory.path, environment: ["FLOW_SERVE_TOKENS": "load-token-1"])
        let url = server.base + "/v1/workflows/greet/runs"
        let auth = ["Authorization": "Bearer load-token-1"]
        let port = server.port
        // Slow clients, bad tokens, oversized bodies and good runs at once; SIGTERM in the middle.
        async let slow = Task.detached { (0..<2).map { _ in Self.slowRequest(port: port, "POST /v1/workflows/greet/runs HTTP/1.1\r\nAuthorization: Bearer load-token-1\r\nContent-Length: 0\r\n\r\n", pause: 0.05) } }.value
        let outcomes = await withTaskGroup(of: (String, Int?).self) { group -> [(String, Int?)] in
            for client in 0..<6 {
                group.addTask {
                    var last: Int?
                    for run in 0..<15 {
                        last = try? await Self.request(url, method: "POST", body: #"{"vars": {"person": "p\#(client)-\#(run)"}}"#, headers: auth).0
                        if last == nil { break }
                    }
                    return ("good", last)
                }
            }
            for _ in 0..<3 { group.addTask { ("bad token", try? await Self.request(url, method: "POST", body: "{}", headers: ["Authorization": "Bearer wrong"]).0) } }
            for _ in 0..<3 { group.addTask { ("oversized", try? await Self.request(url, method: "POST", body: #"{"vars": {"person": ""# + String(repeating: "z", count: 2000) + #""}}"#, headers: auth).0) } }
            group.addTask {
                // Mid-load: once some runs are recorded, however loaded the machine.
                try? await Task.sleep(nanoseconds: 600_000_000)
                for _ in 0..<100 where ((try? FileManager.default.contentsOfDirectory(atPath: directory.path + "/.flow/runs")) ?? []).count < 3 {
                    try? await Task.sleep(nanoseconds: 50_000_000)
                }
                kill(server.process.processIdentifier, SIGTERM)
                return ("signal", nil)
            }
            var all: [(String, Int?)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        _ = await slow
        #expect(server.wait() == 0, "\(server.stderr)")
        for (kind, status) in outcomes where kind == "bad token" { #expect(status == 401) }
        for (kind, status) in outcomes where kind == "oversized" { #expect(status == 413 || status == nil) }
        // Every run the server accepted finished and was recorded: as many transcripts, each
        // ended, as runs it says it served.
        let served = Int(server.stderr.firstMatch(of: /stopped; (\d+) runs served/)?.1 ?? "") ?? -1
        let runs = (try? FileManager.default.contentsOfDirectory(atPath: directory.path + "/.flow/runs")) ?? []
        let ended = try runs.filter { try String(contentsOfFile: directory.path + "/.flow/runs/" + $0, encoding: .utf8).contains("\"run_end\"") }
        #expect(served > 0 && runs.count == served && ended.count == served, "served \(served), transcripts \(runs.count), ended \(ended.count)")
        #expect(!server.stderr.contains("load-token-1"))
    }
}

extension Array {
    /// The array in consecutive pieces of `size` (the last may be shorter).
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
