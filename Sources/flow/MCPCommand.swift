import Foundation
import FlowCore
import FlowSource

/// `flow mcp list FILE [SERVER]`: starts a workflow's MCP servers (or the one named) and prints
/// the tools each lists, for writing its `allow:`.
enum MCPCommand {
    static func main(_ arguments: ParsedArguments) async -> Int32 {
        guard arguments.positionals.first == "list", arguments.positionals.count >= 2 else {
            Terminal.report(UsageError(message: "flow mcp takes 'list FILE [SERVER]'", command: Commands.mcp))
            return ExitStatus.usage
        }
        let loaded: LoadedWorkflow
        do {
            loaded = try WorkflowLoader.load(path: arguments.positionals[1])
        } catch {
            Terminal.err(error.description + "\n")
            return ExitStatus.invalid
        }
        let wanted = arguments.positionals.count > 2 ? arguments.positionals[2] : nil
        let servers = loaded.workflow.mcp.filter { wanted == nil || $0.name == wanted }
        guard !servers.isEmpty else {
            let names = loaded.workflow.mcp.map(\.name)
            Terminal.err("error: \(wanted.map { "no MCP server '\($0)' in \(loaded.source.path)" } ?? "\(loaded.source.path) declares no MCP servers")"
                         + (names.isEmpty ? "" : "; it declares: " + names.joined(separator: ", ")) + "\n")
            return ExitStatus.usage
        }
        let directory = PathText.directory(of: loaded.source.path)
        let running = MCPServers(baseDirectory: directory.isEmpty ? "." : directory)
        let runner = MCPToolRunner(inner: ProcessToolRunner(baseDirectory: "."), servers: running, declared: loaded.workflow.mcp)
        var report: [(String, JSON)] = []
        var failed = false
        for server in servers {
            let (content, isError) = await runner.run(MCPToolRunner.listing(server), arguments: .object([]))
            guard !isError, let tools = try? JSON.parse(content) else {
                Terminal.err("error: \(content)\n")
                failed = true
                continue
            }
            report.append((server.name, tools))
            if !arguments.flags.contains("--json") {
                Terminal.out("\(server.name) (\(server.command.joined(separator: " "))):\n")
                for tool in tools.array ?? [] {
                    let name = tool["name"]?.string ?? "?"
                    let allowed = server.allow.map { $0.contains(name) ? "" : "  (not in allow:)" } ?? ""
                    Terminal.out("  \(server.name).\(name)\(allowed)  \(tool["description"]?.string ?? "")\n")
                }
            }
        }
        await running.stopAll()
        if arguments.flags.contains("--json") { Terminal.out(JSON.object(report).pretty + "\n") }
        return failed ? ExitStatus.failed : ExitStatus.ok
    }
}
