/// The Model Context Protocol's messages as flow sends and reads them (JSON-RPC 2.0, one
/// message per line on stdio). flow asks for revision 2025-06-18 in `initialize` and accepts
/// a server that answers with any revision it knows (2024-11-05 through 2025-11-25): the
/// requests it uses (`tools/list`, `tools/call`) are the same in all of them. Pure.
enum MCPWire {
    static let protocolVersion = "2025-06-18"
    static let knownVersions: Set<String> = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]

    static func request(_ id: Int, _ method: String, _ params: JSON) -> JSON {
        .object([("jsonrpc", .string("2.0")), ("id", .int(id)), ("method", .string(method)), ("params", params)])
    }

    static func initialize(_ id: Int) -> JSON {
        request(id, "initialize", .object([
            ("protocolVersion", .string(protocolVersion)),
            ("capabilities", .object([])),
            ("clientInfo", .object([("name", .string("flow")), ("version", .string(FlowVersion.current))])),
        ]))
    }

    static let initialized = JSON.object([("jsonrpc", .string("2.0")), ("method", .string("notifications/initialized"))])

    static func listTools(_ id: Int, cursor: String?) -> JSON {
        request(id, "tools/list", .object(cursor.map { [("cursor", JSON.string($0))] } ?? []))
    }

    /// A call with a progress token (its id), so a server may report how far it is.
    static func callTool(_ id: Int, name: String, arguments: JSON) -> JSON {
        request(id, "tools/call", .object([("name", .string(name)), ("arguments", arguments),
                                           ("_meta", .object([("progressToken", .int(id))]))]))
    }

    /// What a server's notification says, as a line for `--verbose`; nil for one that says nothing to a person.
    static func notice(_ message: JSON, server: String) -> String? {
        let params = message["params"] ?? .null
        switch message["method"]?.string {
        case "notifications/message"?:
            let data = params["data"].map { $0.string ?? $0.serialized } ?? ""
            return "MCP server '\(server)' [\(params["level"]?.string ?? "log")]: \(data)"
        case "notifications/progress"?:
            let progress = params["progress"].map { $0.serialized } ?? "?"
            let total = params["total"].map { "/" + $0.serialized } ?? ""
            return "MCP server '\(server)' progress \(progress)\(total)" + (params["message"]?.string.map { ": " + $0 } ?? "")
        default:
            return nil
        }
    }

    /// One tool a server lists.
    struct Tool: Equatable {
        var name: String
        var description: String
        var inputSchema: JSON
    }

    /// A `tools/list` result: the tools, and the cursor of the next page.
    static func tools(_ result: JSON) -> (tools: [Tool], next: String?) {
        let tools = (result["tools"]?.array ?? []).compactMap { item -> Tool? in
            guard let name = item["name"]?.string else { return nil }
            return Tool(name: name, description: item["description"]?.string ?? item["title"]?.string ?? "",
                        inputSchema: item["inputSchema"] ?? .object([("type", .string("object"))]))
        }
        return (tools, result["nextCursor"]?.string)
    }

    /// A `tools/call` result as the model reads it: the text parts, in order; an image or audio
    /// part as a line naming its type and size (the bytes are not text); an embedded resource's
    /// text; structured content when there is no text. `isError` is the tool's own failure.
    static func callResult(_ result: JSON) -> (content: String, isError: Bool) {
        var parts: [String] = []
        for item in result["content"]?.array ?? [] {
            switch item["type"]?.string {
            case "text"?: parts.append(item["text"]?.string ?? "")
            case "image"?, "audio"?:
                let bytes = ((item["data"]?.string?.utf8.count ?? 0) * 3) / 4
                parts.append("[\(item["type"]?.string ?? "") \(item["mimeType"]?.string ?? "?"), \(bytes) bytes]")
            case "resource"?: parts.append(item["resource"]?["text"]?.string ?? "[resource \(item["resource"]?["uri"]?.string ?? "")]")
            case "resource_link"?: parts.append("[resource \(item["uri"]?.string ?? "")]")
            default: break
            }
        }
        if parts.isEmpty, let structured = result["structuredContent"] { parts.append(structured.serialized) }
        return (parts.joined(separator: "\n"), result["isError"] == .bool(true))
    }

    /// The name a provider is sent for `tool` of `server`: providers take `[A-Za-z0-9_-]{1,64}`,
    /// so `time.get_current_time` goes on the wire as `time__get_current_time`.
    static func wireName(server: String, tool: String) -> String {
        let safe = String(tool.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
        return String((server + "__" + safe).prefix(64))
    }
}
