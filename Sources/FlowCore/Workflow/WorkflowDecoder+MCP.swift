import FlowSource
import FlowYAML

/// `mcp:` servers and the `server.tool` names steps offer. What a server lists is known only
/// when it runs, so here the names are checked against the declarations: the server exists,
/// the tool is a name (or `*`), and an allowlist admits it.
extension WorkflowDecoder {
    mutating func mcpServers(_ node: Node) -> [MCPServer] {
        guard let items = sequence(node, "mcp") else { return [] }
        var servers: [MCPServer] = []
        for item in items {
            guard let pairs = mapping(item, "an MCP server") else { continue }
            checkKeys(pairs, allowed: ["name", "command", "url", "headers", "env", "allow", "timeout"], in: "an MCP server")
            guard let nameNode = item["name"], let name = string(nameNode, "name") else {
                report(item.mark, "an MCP server needs a 'name', which steps use to offer its tools", hint: "for example name: time")
                continue
            }
            guard Self.isIdentifier(name), !name.contains("-") else {
                report(nameNode.mark, "MCP server name '\(name)' must hold only letters, digits and '_'", hint: "steps name its tools as \(name).tool")
                continue
            }
            if servers.contains(where: { $0.name == name }) { report(nameNode.mark, "MCP server '\(name)' is declared twice") }
            var timeout = 30.0
            if let node = item["timeout"], let seconds = number(node, "timeout", in: 0.1...3600) { timeout = seconds }
            var server = MCPServer(name: name, command: [], environment: item["env"]?.sequence?.compactMap { string($0, "env") } ?? [],
                                   allow: item["allow"]?.sequence?.compactMap { string($0, "allow") }, timeout: timeout, mark: nameNode.mark)
            switch (item["command"], item["url"]) {
            case (let commandNode?, nil):
                guard let argv = sequence(commandNode, "command"), !argv.isEmpty else {
                    report(commandNode.mark, "MCP server '\(name)': 'command' is its program and arguments, as a list")
                    continue
                }
                server.command = argv.compactMap { string($0, "command") }
            case (nil, let urlNode?):
                guard let url = string(urlNode, "url"), url.hasPrefix("https://") || url.hasPrefix("http://") else {
                    report(urlNode.mark, "MCP server '\(name)': 'url' must be an http(s):// address", hint: "for example url: https://example.com/mcp")
                    continue
                }
                server.url = url
                for pair in item["headers"]?.mapping ?? [] {
                    guard let header = pair.key.scalar?.text, let value = string(pair.value, "a header value") else { continue }
                    server.headers.append((header, value))
                }
            case (.some, .some):
                report(item.mark, "MCP server '\(name)' has both 'command' and 'url'", hint: "keep one: command for stdio, url for Streamable HTTP")
                continue
            case (nil, nil):
                report(item.mark, "MCP server '\(name)' needs 'command:' (stdio) or 'url:' (Streamable HTTP)",
                       hint: "for example command: [uvx, mcp-server-time]; no shell is involved")
                continue
            }
            if item["headers"] != nil, server.url == nil {
                report(item["headers"]!.mark, "MCP server '\(name)': 'headers' go with 'url'", hint: "a stdio server takes env: instead")
            }
            servers.append(server)
        }
        return servers
    }

    /// A step's `server.tool` names: a declared server, and a tool its allowlist admits.
    mutating func checkServerTools(_ step: Step, servers: [MCPServer]) {
        for name in step.tools where name.contains(".") {
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, let server = servers.first(where: { $0.name == parts[0] }) else {
                report(step.mark, "step '\(step.id)' offers '\(name)', but no MCP server '\(parts.first ?? "")' is declared",
                       hint: Suggestion.hint(for: parts.first ?? "", in: servers.map(\.name)) ?? "declare it under 'mcp:' with a name and a command")
                continue
            }
            if parts[1] != "*", let allow = server.allow, !allow.contains(parts[1]) {
                report(step.mark, "step '\(step.id)' offers '\(name)', which server '\(server.name)' does not allow",
                       hint: Suggestion.hint(for: parts[1], in: allow) ?? "its allow: lists " + allow.joined(separator: ", "))
            }
        }
    }
}
