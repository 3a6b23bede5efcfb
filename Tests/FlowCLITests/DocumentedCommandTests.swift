import Foundation
import Testing
import FlowTestSupport

/// Every command in README.md and docs/*.md inside a code block marked `sh runnable` runs and
/// exits as documented (0, or the `# exit N` at the end of its line), so the docs cannot drift
/// from the tool. Commands run in a copy of the project's workflows and templates, with `flow`
/// and `.build/debug/flow` both meaning the binary under test.
@Suite struct DocumentedCommandTests {
    struct Command: Sendable, CustomTestStringConvertible {
        var file: String
        var line: Int
        var text: String
        var status: Int32
        var testDescription: String { "\(file):\(line): \(text)" }
    }

    static let commands: [Command] = {
        let root = FlowBinary.repository
        let docs = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/docs")) ?? [])
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        var found: [Command] = []
        for file in ["README.md"] + docs {
            guard let text = try? String(contentsOfFile: root + "/" + file, encoding: .utf8) else { continue }
            var inBlock = false
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if line.hasPrefix("```") {
                    inBlock = !inBlock && line.trimmingCharacters(in: .whitespaces) == "```sh runnable"
                    continue
                }
                guard inBlock else { continue }
                var command = String(line), status: Int32 = 0
                if let hash = command.range(of: " #") {
                    let comment = command[hash.upperBound...].trimmingCharacters(in: .whitespaces)
                    if comment.hasPrefix("exit "), let code = Int32(comment.dropFirst(5)) { status = code }
                    command = String(command[..<hash.lowerBound])
                }
                command = command.trimmingCharacters(in: .whitespaces)
                if !command.isEmpty { found.append(Command(file: file, line: index + 1, text: command, status: status)) }
            }
        }
        return found
    }()

    /// A project like the repository's: its workflows and templates, `.git`, and the binary at
    /// `.build/debug/flow` and on PATH.
    static let project: String = {
        let directory = NSTemporaryDirectory() + "flow-docs-\(UUID().uuidString)"
        let manager = FileManager.default
        try? manager.createDirectory(atPath: directory + "/.build/debug", withIntermediateDirectories: true)
        try? manager.createDirectory(atPath: directory + "/.git", withIntermediateDirectories: true)
        try? manager.createDirectory(atPath: directory + "/bin", withIntermediateDirectories: true)
        for folder in ["workflows", "templates"] {
            try? manager.copyItem(atPath: FlowBinary.repository + "/" + folder, toPath: directory + "/" + folder)
        }
        try? ".flow/\n".write(toFile: directory + "/.gitignore", atomically: true, encoding: .utf8)
        try? manager.createSymbolicLink(atPath: directory + "/.build/debug/flow", withDestinationPath: FlowBinary.path)
        try? manager.createSymbolicLink(atPath: directory + "/bin/flow", withDestinationPath: FlowBinary.path)
        // The commands run in order across tests, so the project lives as long as the test
        // process and is removed when it exits.
        atexit { try? FileManager.default.removeItem(atPath: DocumentedCommandTests.project) }
        return directory
    }()

    @Test func theDocsHaveRunnableCommands() {
        #expect(Self.commands.count >= 15, "README.md and docs/cli.md mark their command blocks runnable")
        #expect(Self.commands.contains { $0.file == "README.md" })
    }

    /// In order: a later command (flow show) may read what an earlier one wrote.
    @Test(.serialized, arguments: commands)
    func runsAsDocumented(_ command: Command) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command.text]
        process.currentDirectoryURL = URL(fileURLWithPath: Self.project)
        process.environment = ["PATH": Self.project + "/bin:/usr/bin:/bin", "HOME": Self.project, "CI": "true"]
        process.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let (_, stderr) = ChildOutput.collect(stdout: out, stderr: err)
        process.waitUntilExit()
        #expect(process.terminationStatus == command.status,
                "\(command.file):\(command.line): `\(command.text)` exited \(process.terminationStatus): \(String(decoding: stderr, as: UTF8.self).suffix(600))")
    }
}
