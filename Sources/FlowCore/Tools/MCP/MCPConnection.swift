import Foundation

/// One MCP server over stdio: the process, a thread reading its lines, and the requests
/// waiting for answers. Every request has a deadline, so a server that hangs, answers garbage
/// or exits mid-call gives an error naming it, never a hang.
final class MCPConnection: @unchecked Sendable {
    let server: MCPServer
    private let process = Process()
    private let input = Pipe(), output = Pipe()
    /// Answers by request id, and who waits for each; behind the lock.
    private let lock = NSLock()
    private var waiting: [Int: CheckedContinuation<Result<JSON, MCPError>, Never>] = [:]
    private var nextID = 1
    private var closedReason: String?

    struct MCPError: Error { var message: String }

    /// Told of the server's logs, progress and standard error lines (`--verbose`); nil drops them.
    let onNotice: (@Sendable (String) -> Void)?
    private let errors = Pipe()

    init(server: MCPServer, baseDirectory: String, environment: [String: String], onNotice: (@Sendable (String) -> Void)? = nil) {
        self.server = server
        self.onNotice = onNotice
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = server.command
        process.currentDirectoryURL = URL(fileURLWithPath: baseDirectory)
        process.environment = environment
        process.standardInput = input
        process.standardOutput = output
        process.standardError = onNotice == nil ? FileHandle.nullDevice : errors
    }

    /// Starts the server and completes the `initialize` handshake.
    func start() async throws(MCPError) {
        // A server that exits before reading its input must not kill flow with SIGPIPE: the
        // write fails instead, and the reader says how the server ended.
        signal(SIGPIPE, SIG_IGN)
        do { try process.run() } catch {
            throw MCPError(message: "could not start \(server.command.joined(separator: " ")): \(error.localizedDescription)")
        }
        let reader = Thread { [weak self] in self?.readLines() }
        reader.start()
        if let onNotice {
            let name = server.name, handle = errors.fileHandleForReading
            Thread {
                var buffer: [UInt8] = []
                while case let data = handle.availableData, !data.isEmpty {
                    buffer += data
                    while let newline = buffer.firstIndex(of: 10) {
                        onNotice("MCP server '\(name)' stderr: " + String(decoding: buffer[..<newline], as: UTF8.self))
                        buffer.removeFirst(newline + 1)
                    }
                }
            }.start()
        }
        let result = try await send("initialize", MCPWire.initialize)
        let version = result["protocolVersion"]?.string ?? "?"
        guard MCPWire.knownVersions.contains(version) else {
            throw MCPError(message: "answered initialize with protocol revision '\(version)', which flow does not speak (it speaks \(MCPWire.knownVersions.sorted().joined(separator: ", ")))")
        }
        write(MCPWire.initialized)
    }

    /// Sends the request `make(id)` and waits for its answer, at most the server's timeout.
    func send(_ method: String, _ make: (Int) -> JSON) async throws(MCPError) -> JSON {
        let id: Int = lock.withLock { defer { nextID += 1 }; return nextID }
        let timeout = server.timeout
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<JSON, MCPError>, Never>) in
            let closed: String? = lock.withLock {
                if let closedReason { return closedReason }
                waiting[id] = continuation
                return nil
            }
            if let closed { continuation.resume(returning: .failure(MCPError(message: closed))); return }
            write(make(id))
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [weak self] in
                self?.finish(id, .failure(MCPError(message: "did not answer \(method) within \(timeout) s")))
            }
        }
        return try result.get()
    }

    private func finish(_ id: Int, _ result: Result<JSON, MCPError>) {
        let continuation = lock.withLock { waiting.removeValue(forKey: id) }
        continuation?.resume(returning: result)
    }

    private func write(_ message: JSON) {
        // A server that exited has closed the pipe: the write fails, and its reader says why.
        try? input.fileHandleForWriting.write(contentsOf: Data((message.serialized + "\n").utf8))
    }

    /// Reads the server's lines until it closes its output; answers go to their requests.
    private func readLines() {
        let handle = output.fileHandleForReading
        var buffer: [UInt8] = []
        while true {
            let data = handle.availableData
            if data.isEmpty { break }
            buffer += data
            while let newline = buffer.firstIndex(of: 10) {
                let line = Array(buffer[..<newline])
                buffer.removeFirst(newline + 1)
                guard !line.allSatisfy({ $0 == 32 || $0 == 13 }) else { continue }
                guard let message = try? JSON.parse(String(decoding: line, as: UTF8.self)) else {
                    fail("wrote a line that is not JSON: \(String(decoding: line.prefix(80), as: UTF8.self))")
                    return
                }
                dispatch(message)
            }
        }
        process.waitUntilExit()
        let status = process.terminationStatus
        fail("exited (status \(status)\(status == 127 ? ": '\(server.command.first ?? "")' was not found on PATH" : "")) before answering")
    }

    private func dispatch(_ message: JSON) {
        if let id = message["id"]?.int, message["method"] == nil {
            if let error = message["error"] {
                finish(id, .failure(MCPError(message: "answered with error \(error["code"]?.int ?? 0): \(error["message"]?.string ?? "")")))
            } else {
                finish(id, .success(message["result"] ?? .null))
            }
        } else if let id = message["id"], message["method"]?.string == "ping" {
            write(.object([("jsonrpc", .string("2.0")), ("id", id), ("result", .object([]))]))
        } else if let id = message["id"] {
            // A request flow does not serve (sampling, roots, elicitation): refused, not ignored.
            write(.object([("jsonrpc", .string("2.0")), ("id", id), ("error", .object([("code", .int(-32601)), ("message", .string("flow does not serve this"))]))]))
        }
        else if let notice = MCPWire.notice(message, server: server.name) {
            onNotice?(notice)
        }
    }

    /// Every waiting request fails with `reason`, and so does every later one.
    private func fail(_ reason: String) {
        let pending: [CheckedContinuation<Result<JSON, MCPError>, Never>] = lock.withLock {
            if closedReason == nil { closedReason = reason }
            defer { waiting = [:] }
            return Array(waiting.values)
        }
        for continuation in pending { continuation.resume(returning: .failure(MCPError(message: reason))) }
    }

    /// Closes the server's input (the end MCP's stdio transport asks servers to exit on), then
    /// stops it if it is still running a moment later.
    func stop() {
        try? input.fileHandleForWriting.close()
        guard process.isRunning else { return }
        let deadline = Date().addingTimeInterval(1)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate() }
    }
}
