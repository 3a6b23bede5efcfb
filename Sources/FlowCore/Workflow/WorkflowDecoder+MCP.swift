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
            checkKeys(pairs, allowed: ["name", "command", "env", "allow", "timeout"], in: "an MCP server")
            guard let nameNode = item["name"], let name = string(nameNode, "name") else {
                report(item.mark, "an MCP server needs a 'name', which steps use to offer its tools", hint: "for example name: time")
                continue
            }
            guard Self.isIdentifier(name), !name.contains("-") else {
                report(nameNode.mark, "MCP server name '\(name)' must hold only letters, digits and '_'", hint: "steps name its tools as \(name).tool")
                continue
            }
            if servers.contains(where: { $0.name == name }) { report(nameNode.mark, "MCP server '\(name)' is declared twice") }
            guard let commandNode = item["command"], let argv = sequence(commandNode, "command"), !argv.isEmpty else {
                report(item.mark, "MCP server '\(name)' needs 'command:', its program and arguments as a list",
                       hint: "for example command: [uvx, mcp-server-time]; no shell is involved")
                continue
            }
            var timeout = 30.0
            if let node = item["timeout"], let seconds = number(node, "timeout", in: 0.1...3600) { timeout = seconds }
            servers.append(MCPServer(name: name, command: argv.compactMap { string($0, "command") },
                                     environment: item["env"]?.sequence?.compactMap { string($0, "env") } ?? [],
                                     allow: item["allow"]?.sequence?.compactMap { string($0, "allow") },
                                     timeout: timeout, mark: nameNode.mark))
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
