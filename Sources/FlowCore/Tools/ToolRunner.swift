import Foundation

/// Runs a declared tool for one call. The result is what the model sees, errors included.
public protocol ToolRunner: Sendable {
    func run(_ tool: ToolDeclaration, arguments: JSON) async -> (content: String, isError: Bool)
}

/// Runs the tool's argv as a child process: no shell, the arguments as JSON on stdin, stdout as
/// the result (at most `maxOutputBytes`), a timeout, and an environment without provider keys
/// unless the tool names them in `env:`.
public struct ProcessToolRunner: ToolRunner {
    public var baseDirectory: String
    public var maxOutputBytes = 1 << 20

    /// `baseDirectory` is where relative programs and arguments are resolved: the workflow's directory.
    public init(baseDirectory: String) { self.baseDirectory = baseDirectory }

    /// Variables never passed to a tool unless it names them.
    static func isSecret(_ name: String) -> Bool {
        name.hasSuffix("_API_KEY") || name.hasSuffix("_TOKEN") || name.hasSuffix("_SECRET")
    }

    public func run(_ tool: ToolDeclaration, arguments: JSON) async -> (content: String, isError: Bool) {
        let process = Process()
        let program = tool.run[0]
        if program.contains("/") {
            process.executableURL = URL(fileURLWithPath: program.hasPrefix("/") ? program : baseDirectory + "/" + program)
            process.arguments = Array(tool.run.dropFirst())
        } else {
            // A bare name is looked up on PATH, as a shell would, but without one.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = tool.run
        }
        process.currentDirectoryURL = URL(fileURLWithPath: baseDirectory.isEmpty ? "." : baseDirectory)
        process.environment = ProcessInfo.processInfo.environment.filter { name, _ in
            !Self.isSecret(name) || tool.environment.contains(name)
        }
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return ("tool '\(tool.name)' could not start: \(error.localizedDescription)", true)
        }
        // A tool that exits without reading its input must not kill flow with SIGPIPE: the
        // signal is ignored and the failed write is simply dropped.
        signal(SIGPIPE, SIG_IGN)
        try? input.fileHandleForWriting.write(contentsOf: Data(arguments.serialized.utf8))
        try? input.fileHandleForWriting.close()

        let limit = maxOutputBytes
        // Blocking reads run on their own threads: on the concurrency pool (two threads on a
        // two-core machine) they would starve the timeout check below.
        async let stdout = Self.readOnThread(output.fileHandleForReading, limit: limit)
        async let stderr = Self.readOnThread(errors.fileHandleForReading, limit: 64 << 10)
        let timedOut = await Self.wait(for: process, timeout: tool.timeout)
        if timedOut {
            _ = await (stdout, stderr)
            return ("tool '\(tool.name)' timed out after \(tool.timeout) s", true)
        }
        let (out, err) = await (stdout, stderr)
        if process.terminationStatus != 0 {
            let detail = String(decoding: err.suffix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return ("tool '\(tool.name)' exited with status \(process.terminationStatus)" + (detail.isEmpty ? "" : ": " + detail), true)
        }
        var text = String(decoding: out.prefix(limit), as: UTF8.self)
        if out.count > limit { text += "\n[output cut at \(limit) bytes]" }
        return (text, false)
    }

    /// Waits for the process on its own thread (not the concurrency pool, which other work may
    /// be holding), stopping it at the timeout: SIGTERM, then SIGKILL if it is ignored (an
    /// ignored signal survives exec, so a parent that ignores SIGTERM hands that to every tool).
    /// Returns whether it timed out.
    private static func wait(for process: Process, timeout: Double) async -> Bool {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let deadline = Date().addingTimeInterval(timeout)
                while process.isRunning, Date() < deadline { usleep(5_000) }
                guard process.isRunning else {
                    process.waitUntilExit()
                    continuation.resume(returning: false)
                    return
                }
                process.terminate()
                let grace = Date().addingTimeInterval(1)
                while process.isRunning, Date() < grace { usleep(10_000) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
                continuation.resume(returning: true)
            }
        }
    }

    private static func readOnThread(_ handle: FileHandle, limit: Int) async -> Data {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: read(handle, limit: limit)) }
        }
    }

    /// Reads to the end, keeping at most `limit` bytes (and one more, to know it was cut).
    private static func read(_ handle: FileHandle, limit: Int) -> Data {
        var data = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { return data }
            if data.count <= limit { data.append(chunk.prefix(limit + 1 - data.count)) }
        }
    }
}
