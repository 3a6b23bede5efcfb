import Foundation
import FlowTestSupport

/// Runs the built `flow` executable as a user would, capturing stdout, stderr and the status.
struct FlowBinary {
    struct Result {
        var stdout: String
        var stderr: String
        var status: Int32
    }

    /// The `flow` binary beside the test bundle (`swift build` puts both in one directory).
    static let path: String = {
        if let explicit = ProcessInfo.processInfo.environment["FLOW_BIN"] { return explicit }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        // On macOS the test bundle is a directory: xctest/Contents/MacOS/runner.
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("flow").path),
              directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("flow").path
    }()

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// Runs `flow arguments…` in `directory` with only `environment` (plus PATH), so no key
    /// from the developer's shell reaches a test.
    static func run(_ arguments: [String], in directory: String = repository,
                    environment: [String: String] = [:], input: String? = nil, executable: String? = nil) throws -> Result {
        let process = Process()
        // Another program (a shell that sets limits first) runs `arguments` minus its own name.
        process.executableURL = URL(fileURLWithPath: executable ?? path)
        process.arguments = executable == nil ? arguments : Array(arguments.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { given, _ in given }
        let out = Pipe(), err = Pipe(), stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        try process.run()
        // Standard input is a pipe: the given text, then its end (a run never waits on a terminal).
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        // Read both pipes at once before waiting, so a large output on either cannot stall the child.
        let (stdout, stderr) = ChildOutput.collect(stdout: out, stderr: err)
        process.waitUntilExit()
        return Result(stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self),
                      status: process.terminationStatus)
    }
}
