import Foundation

/// The MCP servers of one run, each started when a step first needs its tools and stopped when
/// the run ends (`stopAll`), or when flow exits (their input closes).
public final class MCPServers: @unchecked Sendable {
    private let lock = NSLock()
    private var started: [String: Task<any MCPChannel, any Error>] = [:]
    let baseDirectory: String
    let environment: [String: String]
    /// Told of each server's logs, progress and standard error (`--verbose`).
    let onNotice: (@Sendable (String) -> Void)?

    /// Servers run from `baseDirectory` (the workflow's), with the tool environment rule over `environment`.
    public init(baseDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                onNotice: (@Sendable (String) -> Void)? = nil) {
        self.baseDirectory = baseDirectory
        self.environment = environment
        self.onNotice = onNotice
    }

    /// The running connection to `server`, started (once) if it is not.
    func connection(_ server: MCPServer) async throws -> any MCPChannel {
        let task: Task<any MCPChannel, any Error> = lock.withLock {
            if let running = started[server.name] { return running }
            let tool = ToolDeclaration(name: server.name, description: "", parameters: .null, run: server.command, timeout: server.timeout,
                                       environment: server.environment, mark: server.mark)
            let environment = ProcessToolRunner.environment(for: tool, from: self.environment)
            let directory = baseDirectory, given = self.environment, onNotice = self.onNotice
            let task = Task { () async throws -> any MCPChannel in
                let connection: any MCPChannel = server.url == nil
                    ? MCPConnection(server: server, baseDirectory: directory, environment: environment, onNotice: onNotice)
                    : MCPHTTPConnection(server: server, environment: given, transport: URLSessionTransport(timeout: server.timeout), onNotice: onNotice)
                do { try await connection.start() } catch {
                    connection.stop()
                    throw error
                }
                return connection
            }
            started[server.name] = task
            return task
        }
        return try await task.value
    }

    /// Stops every server that was started.
    public func stopAll() async {
        let tasks = lock.withLock { Array(started.values) }
        for task in tasks { try? await task.value.stop() }
    }
}

/// Runs MCP tools on their servers (`tools/call`) and every other tool with `inner`. A tool
/// named `tools/list` of a server lists the server's tools, as JSON: how a run learns what to
/// offer, through the same runner the cassette wraps, so a replay knows the definitions the
/// model was offered without starting any server.
public struct MCPToolRunner: ToolRunner {
    public let inner: any ToolRunner
    public let servers: MCPServers
    let declared: [MCPServer]

    public init(inner: any ToolRunner, servers: MCPServers, declared: [MCPServer]) {
        self.inner = inner
        self.servers = servers
        self.declared = declared
    }

    public func run(_ tool: ToolDeclaration, arguments: JSON) async -> (content: String, isError: Bool) {
        guard let name = tool.server else { return await inner.run(tool, arguments: arguments) }
        guard let server = declared.first(where: { $0.name == name }) else { return ("no MCP server '\(name)' is declared", true) }
        do {
            let connection = try await servers.connection(server)
            if tool.remoteName == Self.listName {
                var all: [JSON] = []
                var cursor: String?
                repeat {
                    let page = try await connection.send("tools/list") { MCPWire.listTools($0, cursor: cursor) }
                    all += page["tools"]?.array ?? []
                    cursor = MCPWire.tools(page).next
                } while cursor != nil
                return (JSON.array(all).serialized, false)
            }
            let result = try await connection.send("tools/call") { MCPWire.callTool($0, name: tool.remoteName ?? "", arguments: arguments) }
            return MCPWire.callResult(result)
        } catch let error as MCPConnection.MCPError {
            return ("MCP server '\(name)' " + error.message, true)
        } catch {
            return ("MCP server '\(name)': \(error)", true)
        }
    }

    /// The remote name that asks a server for its tools.
    static let listName = "tools/list"

    /// The declaration whose run lists `server`'s tools.
    public static func listing(_ server: MCPServer) -> ToolDeclaration {
        ToolDeclaration(name: "mcp \(server.name) tools/list", description: "", parameters: .null, run: server.command,
                        timeout: server.timeout, environment: server.environment, mark: server.mark, server: server.name, remoteName: listName)
    }
}
