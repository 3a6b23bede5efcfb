import Foundation
import FlowSource
import FlowTestSupport
import FlowYAML
import Testing
@testable import FlowCore
@testable import FlowTemplate

/// Malformed and hostile input ends in a clear error, within bounded time and memory.
@Suite struct HostileInputTests {
    let scratch: TemporaryDirectory
    var directory: String { scratch.path }

    init() throws {
        scratch = try TemporaryDirectory(prefix: "flow-hostile")
        for folder in ["project/workflows", "project/templates", "outside"] {
            try FileManager.default.createDirectory(atPath: directory + "/" + folder, withIntermediateDirectories: true)
        }
        try "git".write(toFile: directory + "/project/.git", atomically: true, encoding: .utf8)
    }

    func write(_ relative: String, _ text: String) throws -> String {
        let path = directory + "/" + relative
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func loadError(_ path: String) -> String {
        do {
            _ = try WorkflowLoader.load(path: path)
            return "no error"
        } catch {
            return error.description.replacingOccurrences(of: directory + "/", with: "")
        }
    }

    @Test func deepNestingHugeScalarsAndBigFiles() throws {
        let deep = String(repeating: "- ", count: 10_000) + "x"
        #expect(throws: Diagnostic.self) { try YAML.load(SourceFile(path: "d.yaml", text: deep)) }
        let nested = String(repeating: "[", count: 100_000)
        #expect(throws: Diagnostic.self) { try YAML.load(SourceFile(path: "n.yaml", text: nested)) }
        // A 7 MB scalar is data, not an attack: it loads.
        let big = "k: " + String(repeating: "a", count: 7 << 20)
        #expect(try YAML.load(SourceFile(path: "b.yaml", text: big))?["k"]?.scalar?.text.count == 7 << 20)
        // A 50 MB workflow is refused before it is parsed.
        let huge = try write("project/workflows/huge.yaml", "flow: 1\n# " + String(repeating: "x", count: 50 << 20) + "\n")
        #expect(loadError(huge).hasSuffix("error: file is 52428811 bytes, over the limit of 8388608 bytes\nhint: split large data into a dataset file"))
    }

    @Test func fileReferencesCannotLeaveTheProject() throws {
        _ = try write("outside/secret.mustache", "secret")
        let absolute = try write("project/workflows/a.yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: {file: /etc/passwd}}]\n")
        #expect(loadError(absolute).hasPrefix("project/workflows/a.yaml:3:30: error: '/etc/passwd' is outside the project directory"))
        let relative = try write("project/workflows/r.yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: {file: ../../outside/secret.mustache}}]\n")
        #expect(loadError(relative).contains("error: 'outside/secret.mustache' is outside the project directory"))
        try FileManager.default.createSymbolicLink(atPath: directory + "/project/templates/link.mustache",
                                                   withDestinationPath: directory + "/outside/secret.mustache")
        let linked = try write("project/workflows/l.yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: {file: ../templates/link.mustache}}]\n")
        #expect(loadError(linked).contains("error: 'project/templates/link.mustache' is outside the project directory"))
        let dataset = try write("project/workflows/d.yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: x}]\ntests: [{dataset: /etc/hostname}]\n")
        #expect(loadError(dataset).contains("error: '/etc/hostname' is outside the project directory"))
    }

    @Test func templatesRecursingThroughPartials() throws {
        let library = PartialLibrary(["a": try Template("{{> b}}"), "b": try Template("{{> a}}")])
        #expect(throws: TemplateError.self) { try Template("{{> a}}").render([:], options: RenderOptions(partials: library)) }
    }

    @Test func aResponseOf100MegabytesIsCutOff() async throws {
        let body = String(repeating: "x", count: 100 << 20)
        let server = try StubServer { _ in StubServer.Response(body: body) }
        defer { server.stop() }
        let transport = URLSessionTransport(timeout: 30)
        await #expect(throws: ProviderError(.decode, "the answer from \(server.baseURL) is larger than 67108864 bytes; flow stopped reading it")) {
            try await transport.send(HTTPRequest(method: "POST", url: server.baseURL + "/x", headers: [], body: []))
        }
    }

    @Test func aStreamThatNeverEndsHitsTheTotalTimeout() async throws {
        let events = String(decoding: try Fixture.bytes("openai/stream-stop.sse"), as: UTF8.self)
        let server = try StubServer { _ in
            var response = StubServer.Response.events(events)
            response.stall = (bytes: 200, seconds: 20)
            return response
        }
        defer { server.stop() }
        let provider = HTTPProvider(adapter: OpenAIAdapter(baseURL: server.baseURL + "/v1"), apiKey: "k",
                                    transport: URLSessionTransport(timeout: 1), retry: RetryPolicy(maxRetries: 0))
        await #expect(throws: ProviderError(.network, "no complete answer from \(server.baseURL) within 1 s (the total timeout)", retryable: true)) {
            try await provider.stream(ChatRequest(model: "m", messages: [])) { _ in }
        }
    }

    @Test func aResponseNested100000LevelsDeepIsAnError() throws {
        let body = Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
        #expect(throws: ProviderError(.decode, "OpenAI answered with a body that is not JSON (invalid JSON at byte 512: nested deeper than 512 levels)", status: 200)) {
            try OpenAIAdapter().decode(HTTPResponse(status: 200, body: body))
        }
        var decoder = GeminiStreamDecoder()
        #expect(throws: ProviderError.self) { _ = try decoder.consume(SSEEvent(data: String(decoding: body, as: UTF8.self))) }
    }

    @Test func invalidUTF8AndControlBytesInAnswers() throws {
        let body: [UInt8] = Array(#"{"choices":[{"message":{"content":"a"#.utf8) + [0xFF, 0xFE] + Array(#"b"},"finish_reason":"stop"}]}"#.utf8)
        let response = try OpenAIAdapter().decode(HTTPResponse(status: 200, body: body))
        #expect(response.content == "a\u{FFFD}\u{FFFD}b")
    }
}

/// What --verbose shows: everything but the secrets.
@Suite struct RedactionTests {
    @Test func headersURLsAndBodies() {
        #expect(Redaction.header(Header("Authorization", "Bearer sk-abc")) == Header("Authorization", "[redacted]"))
        #expect(Redaction.header(Header("x-goog-api-key", "AIza123")) == Header("x-goog-api-key", "[redacted]"))
        #expect(Redaction.header(Header("Content-Type", "application/json")) == Header("Content-Type", "application/json"))
        #expect(Redaction.url("https://g.example/v1beta/models/m:generateContent?key=AIzaSECRET&alt=sse")
                == "https://g.example/v1beta/models/m:generateContent?key=[redacted]&alt=sse")
        #expect(Redaction.text("my key is sk-proj-0123456789abcdefghij ok") == "my key is [redacted] ok")
    }

    /// Registered secrets are found as bytes: every occurrence, beside and inside non-ASCII text,
    /// and the text around them is left as it was.
    @Test func registeredSecretsEverywhereTheyOccur() {
        let secret = "zq-Ünïcode-sécret-4242"
        Secrets.register(secret)
        #expect(Redaction.text("é\(secret)é and \(secret)👨‍👩‍👧") == "é[redacted]é and [redacted]👨‍👩‍👧")
        #expect(Redaction.text("zq-Ünïcode-sécret-424 is not it 👨‍👩‍👧") == "zq-Ünïcode-sécret-424 is not it 👨‍👩‍👧")
        #expect(Redaction.text(secret) == "[redacted]")
    }
}

/// Timestamps written without Foundation's formatter.
@Suite struct UTCTimeTests {
    @Test func paddedFields() {
        // 2026-01-02T03:04:05.007Z
        let date = Date(timeIntervalSince1970: 1_767_323_045.007_5)
        #expect(UTCTime.iso8601(date) == "2026-01-02T03:04:05Z")
        #expect(UTCTime.compact(date) == "20260102T030405.007Z")
        #expect(UTCTime.digits(123_456, 4) == "123456")
    }
}
