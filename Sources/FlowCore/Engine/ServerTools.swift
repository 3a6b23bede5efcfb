/// The tools of MCP servers, learned when a run starts: each server a step offers tools of
/// lists them (through the run's tool runner, so a cassette records the list and a replay reads
/// it without starting the server), its allowlist filters them, and each step's `server.*` or
/// `server.tool` becomes the tools' wire names (`server__tool`).
extension Interpreter {
    func withServerTools(_ loaded: LoadedWorkflow) async throws(RunError) -> LoadedWorkflow {
        let wanted = Set(loaded.workflow.steps.flatMap(\.tools).filter { $0.contains(".") }.map { String($0.split(separator: ".")[0]) })
        guard !wanted.isEmpty else { return loaded }
        var changed = loaded
        var wireNames: [String: String] = [:]
        var listed: [String: [String]] = [:]
        for server in loaded.workflow.mcp where wanted.contains(server.name) {
            let (content, isError) = await tools.run(MCPToolRunner.listing(server), arguments: .object([]))
            guard !isError, let array = try? JSON.parse(content) else {
                throw Self.serverError(isError ? content : "MCP server '\(server.name)' listed tools that are not JSON", server: server, in: loaded)
            }
            for tool in MCPWire.tools(.object([("tools", array)])).tools where server.allow?.contains(tool.name) ?? true {
                let wire = MCPWire.wireName(server: server.name, tool: tool.name)
                changed.workflow.tools.append(ToolDeclaration(name: wire, description: tool.description, parameters: tool.inputSchema, run: [],
                                                              timeout: server.timeout, environment: [], mark: server.mark,
                                                              server: server.name, remoteName: tool.name))
                wireNames[server.name + "." + tool.name] = wire
                listed[server.name, default: []].append(tool.name)
            }
        }
        for index in changed.workflow.steps.indices {
            let step = changed.workflow.steps[index]
            var expanded: [String] = []
            for name in step.tools {
                guard name.contains(".") else { expanded.append(name); continue }
                let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
                if parts[1] == "*" {
                    expanded += (listed[parts[0]] ?? []).compactMap { wireNames[parts[0] + "." + $0] }
                } else if let wire = wireNames[name] {
                    expanded.append(wire)
                } else {
                    let known = listed[parts[0]] ?? []
                    throw RunError(.stepFailed, "step '\(step.id)' offers '\(name)', which MCP server '\(parts[0])' does not list"
                                   + (known.isEmpty ? "" : "; it lists: " + known.joined(separator: ", ")), step: step.id)
                }
            }
            changed.workflow.steps[index].tools = expanded
        }
        return changed
    }

    static func serverError(_ message: String, server: MCPServer, in loaded: LoadedWorkflow) -> RunError {
        var error = RunError(.stepFailed, message, step: nil)
        error.mark = server.mark
        error.file = loaded.source.path
        return error
    }
}
