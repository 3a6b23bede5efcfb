import Foundation

/// What flow asks of a connected MCP server, over stdio or Streamable HTTP.
protocol MCPChannel: AnyObject, Sendable {
    func start() async throws(MCPConnection.MCPError)
    func send(_ method: String, _ make: (Int) -> JSON) async throws(MCPConnection.MCPError) -> JSON
    func stop()
}

extension MCPConnection: MCPChannel {}

/// One MCP server over Streamable HTTP (revision 2025-06-18): each message a POST to the
/// endpoint, accepting JSON or an SSE stream as the answer; the `Mcp-Session-Id` the server
/// gives at `initialize` goes with every later request, with `MCP-Protocol-Version`; a DELETE
/// ends the session. Header values may read the environment (`{{env.NAME}}`), and those values
/// are secrets: redacted wherever flow writes.
final class MCPHTTPConnection: MCPChannel, @unchecked Sendable {
    let server: MCPServer
    let transport: any HTTPTransport
    let headers: [Header]
    private let lock = NSLock()
    private var session: String?
    private var version = MCPWire.protocolVersion
    private var nextID = 1

    let onNotice: (@Sendable (String) -> Void)?

    init(server: MCPServer, environment: [String: String], transport: any HTTPTransport, onNotice: (@Sendable (String) -> Void)? = nil) {
        self.server = server
        self.onNotice = onNotice
        self.transport = transport
        headers = server.headers.map { name, value in
            var resolved = value
            while let open = resolved.range(of: "{{env."), let close = resolved.range(of: "}}", range: open.upperBound..<resolved.endIndex) {
                let variable = String(resolved[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespaces)
                let secret = environment[variable] ?? ""
                Secrets.register(secret)
                resolved.replaceSubrange(open.lowerBound..<close.upperBound, with: secret)
            }
            return Header(name, resolved)
        }
    }

    func start() async throws(MCPConnection.MCPError) {
        let result = try await send("initialize", MCPWire.initialize)
        let answered = result["protocolVersion"]?.string ?? "?"
        guard MCPWire.knownVersions.contains(answered) else {
            throw MCPConnection.MCPError(message: "answered initialize with protocol revision '\(answered)', which flow does not speak")
        }
        lock.withLock { version = answered }
        _ = try await post(MCPWire.initialized, expectAnswer: false)
    }

    func send(_ method: String, _ make: (Int) -> JSON) async throws(MCPConnection.MCPError) -> JSON {
        let id: Int = lock.withLock { defer { nextID += 1 }; return nextID }
        guard let answer = try await post(make(id), expectAnswer: true, id: id) else {
            throw MCPConnection.MCPError(message: "gave no answer to \(method)")
        }
        if let error = answer["error"] {
            throw MCPConnection.MCPError(message: "answered with error \(error["code"]?.int ?? 0): \(error["message"]?.string ?? "")")
        }
        return answer["result"] ?? .null
    }

    /// POSTs one message; the answer with `id`, read from a JSON body or an SSE stream.
    private func post(_ message: JSON, expectAnswer: Bool, id: Int? = nil) async throws(MCPConnection.MCPError) -> JSON? {
        let (session, version) = lock.withLock { (self.session, self.version) }
        var requestHeaders = headers + [Header("Content-Type", "application/json"),
                                        Header("Accept", "application/json, text/event-stream"),
                                        Header("MCP-Protocol-Version", version)]
        if let session { requestHeaders.append(Header("Mcp-Session-Id", session)) }
        let request = HTTPRequest(method: "POST", url: server.url ?? "", headers: requestHeaders, body: Array(message.serialized.utf8))
        let response: HTTPResponse
        do { response = try await transport.send(request) } catch {
            throw MCPConnection.MCPError(message: "could not be reached at \(Redaction.url(server.url ?? "")): \(error.message)")
        }
        if let given = response.headers["mcp-session-id"] { lock.withLock { self.session = given } }
        guard (200..<300).contains(response.status) else {
            throw MCPConnection.MCPError(message: "answered HTTP \(response.status): \(Redaction.text(String(decoding: response.body.prefix(200), as: UTF8.self)))")
        }
        guard expectAnswer else { return nil }
        let text = String(decoding: response.body, as: UTF8.self)
        if (response.headers["content-type"] ?? "").hasPrefix("text/event-stream") {
            // The stream may carry the server's own requests and notifications before the answer.
            for event in text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n") {
                let data = event.split(separator: "\n").filter { $0.hasPrefix("data:") }
                    .map { $0.dropFirst(5).trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
                guard let parsed = try? JSON.parse(data) else { continue }
                if parsed["id"]?.int == id, parsed["method"] == nil { return parsed }
                if let notice = MCPWire.notice(parsed, server: server.name) { onNotice?(notice) }
            }
            throw MCPConnection.MCPError(message: "closed its event stream without answering")
        }
        guard let parsed = try? JSON.parse(text) else {
            throw MCPConnection.MCPError(message: "answered with a body that is not JSON: \(Redaction.text(String(text.prefix(80))))")
        }
        return parsed
    }

    func stop() {
        let session = lock.withLock { self.session }
        guard let session, let url = server.url else { return }
        let request = HTTPRequest(method: "DELETE", url: url, headers: headers + [Header("Mcp-Session-Id", session)], body: [])
        let transport = self.transport
        let done = DispatchSemaphore(value: 0)
        Task { _ = try? await transport.send(request); done.signal() }
        _ = done.wait(timeout: .now() + 1)
    }
}
