import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// Answers that are broken at the HTTP level get messages that say what arrived, not
/// "could not reach" a server that plainly answered.
@Suite struct MalformedAnswerTests {
    func run(_ response: StubServer.Response, stream: Bool = false) throws -> String {
        let server = try StubServer { _ in response }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", "flow: 1\nmodel: openai/gpt-4o-mini\nsteps: [{id: ask, user: hi}]\n")
        let result = try FlowBinary.run(["run", "w.yaml", "--json", "--retries", "0"] + (stream ? ["--stream"] : []), in: directory.path,
                                        environment: ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.baseURL + "/v1"])
        #expect(result.status == 69)
        let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        return try JSON.parse(last)["error"]?["message"]?.string ?? ""
    }

    static func raw(_ text: String) -> StubServer.Response {
        var response = StubServer.Response(body: "")
        response.raw = Array(text.utf8)
        return response
    }

    @Test func anOversizedHeaderSaysSo() throws {
        let header = Self.raw("HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: 1 << 20) + "\r\nContent-Length: 2\r\n\r\n{}")
        let message = try run(header)
        #expect(message.contains("sent an HTTP answer too large to read") && message.contains("oversized header"), "\(message)")
        #expect(!message.contains("could not reach"))
    }

    @Test func aTruncatedBodyIsNotAnUnreachableServer() throws {
        let message = try run(StubServer.Response(body: OpenAIWire.completion(content: "fine"), cutAfter: 20))
        #expect(message.contains("closed the connection before the answer was complete"), "\(message)")
    }

    @Test func aBadChunkedBodySaysSo() throws {
        let chunked = Self.raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
        let message = try run(chunked)
        #expect(message.contains("sent a malformed chunked body"), "\(message)")
    }

    @Test func anHTMLPageInsteadOfAStreamIsNamed() throws {
        let html = StubServer.Response(headers: [("Content-Type", "text/html")], body: "<html><body>Login required</body></html>")
        let message = try run(html, stream: true)
        #expect(message == #"step 'ask': openai answered HTTP 200 with content type text/html, not an event stream; it began: "<html><body>Login required</body></html>""#,
                "\(message)")
    }

    @Test func controlCharactersFromFilesAndServersAreEscaped() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: hi, \u{1B}[2Jcolour\u{0}: red}]\n")
        let result = try FlowBinary.run(["validate", "w.yaml"], in: directory.path)
        #expect(result.status == 65)
        #expect(!result.stderr.contains("\u{1B}") && !result.stderr.contains("\u{0}"), "no raw ESC or NUL reaches the terminal")
        #expect(result.stderr.contains(#"\u{1B}[2Jcolour\u{0}"#), "\(result.stderr)")
        let server = try StubServer { _ in
            StubServer.Response(status: 400, body: #"{"error":{"message":"bad \u001b]0;pwned\u0007 title","type":"invalid_request_error"}}"#)
        }
        defer { server.stop() }
        try directory.write("w.yaml", "flow: 1\nmodel: openai/gpt-4o-mini\nsteps: [{id: a, user: hi}]\n")
        let failed = try FlowBinary.run(["run", "w.yaml"], in: directory.path,
                                        environment: ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.baseURL + "/v1"])
        #expect(!failed.stderr.contains("\u{1B}") && failed.stderr.contains(#"bad \u{1B}]0;pwned\u{7} title"#), "\(failed.stderr)")
    }

    @Test func aMissingDatasetIsCalledADataset() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: hi}]\ntests: [{dataset: rows.jsonl, mock: [x]}]\n")
        let result = try FlowBinary.run(["validate", "w.yaml"], in: directory.path)
        #expect(result.stderr.contains("error: dataset '") && result.stderr.contains("rows.jsonl' does not exist"), "\(result.stderr)")
    }
}
