import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// What every command promises: one JSON object for --json, directories that stand for the
/// workflows below them, no pass without a case, values read from files and standard input.
@Suite struct CommandContractTests {
    @Test(arguments: [
        ["run", "workflows/hello.yaml", "--json", "--jsno"],
        ["run", "workflows/hello.yaml", "--json", "--timeout", "soon"],
        ["run", "--json"],
        ["test", "--json", "--record"],
        ["validate", "--json", "nowhere.yaml"],
        ["cost", "--json", "nowhere"],
        ["frobnicate", "--json"],
    ])
    func everyJSONInvocationPrintsOneObject(arguments: [String]) throws {
        let result = try FlowBinary.run(arguments)
        #expect(result.status != 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1, "one object on one line, got: \(result.stdout)")
        let object = try JSON.parse(result.stdout)
        let kind = object["error"]?["kind"]?.string ?? (object["status"]?.string == "invalid" ? "invalid" : nil)
            ?? (object.array != nil ? "validate-array" : nil)
        #expect(kind != nil, "\(result.stdout)")
        if result.status == 64 { #expect(kind == "usage") }
    }

    @Test func aProjectRootDirectoryTakesOnlyWorkflows() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/workflows", withIntermediateDirectories: true)
        try directory.write("flow.config.yaml", "providers: []\n")
        try directory.write("workflows/w.yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: hi}]\ntests: [{name: one, mock: [x], expect: [{equals: x}]}]\n")
        try directory.write("workflows/rows.yaml", "- {topic: a}\n")
        let result = try FlowBinary.run(["test", ".", "--verbose"], in: directory.path, environment: ["CI": "true"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("1 passed, 0 failed"))
        #expect(result.stderr.contains("skipped flow.config.yaml: not a workflow (no top-level 'flow:' key)\n"))
        #expect(result.stderr.contains("skipped workflows/rows.yaml: not a workflow"))
        let validated = try FlowBinary.run(["validate", "."], in: directory.path)
        #expect(validated.status == 0)
        #expect(validated.stdout == "workflows/w.yaml: ok (1 step)\n")
    }

    @Test func zeroCasesIsNotAPass() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: hi}]\ntests: [{name: one, mock: [x]}]\n")
        let none = try FlowBinary.run(["test", "w.yaml", "--filter", "nothing"], in: directory.path)
        #expect(none.status == 1)
        #expect(none.stderr.contains("error: no test cases matching 'nothing' in 1 workflow file; nothing was checked"))
        #expect(try FlowBinary.run(["test", "w.yaml", "--filter", "nothing", "--allow-empty"], in: directory.path).status == 0)
        try directory.write("x.yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: hi}]\n")
        #expect(try FlowBinary.run(["test", "x.yaml"], in: directory.path).status == 1, "a workflow without tests: checks nothing")
    }

    @Test func varsReadFilesAndStandardInput() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", "flow: 1\nmodel: mock/m\nvars: {doc: null}\nsteps: [{id: a, user: \"Summarise: {{doc}}\"}]\nmock: [ok]\n")
        try directory.write("ticket.txt", "line one\nline two\n")
        let fromFile = try FlowBinary.run(["render", "w.yaml", "--var", "doc=@ticket.txt", "--json"], in: directory.path)
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(fromFile.stdout.contains(#"Summarise: line one\nline two""#), "one final newline dropped")
        let fromInput = try FlowBinary.run(["render", "w.yaml", "--var", "doc=@-", "--json"], in: directory.path, input: "piped text\n")
        #expect(fromInput.stdout.contains(#"Summarise: piped text""#))
        let literal = try FlowBinary.run(["render", "w.yaml", "--var", "doc=@@home", "--json"], in: directory.path)
        #expect(literal.stdout.contains(#"Summarise: @home""#))
        let missing = try FlowBinary.run(["run", "w.yaml", "--var", "doc=@nope.txt"], in: directory.path)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("Error: --var doc=@nope.txt: the file cannot be read\nHint: write @@ for a value that starts with @"))
    }

    /// A child that fills its stderr pipe while the parent reads stdout must not deadlock the
    /// test helper: 3,000 diagnostics are several hundred KiB on stderr.
    @Test(.timeLimit(.minutes(1))) func aLargeStandardErrorDoesNotStallTheHelper() throws {
        let directory = try TemporaryDirectory()
        let steps = (1...3000).map { "  - {id: s\($0), user: hi, colour: red}" }.joined(separator: "\n")
        try directory.write("w.yaml", "flow: 1\nmodel: mock/m\nsteps:\n\(steps)\n")
        let result = try FlowBinary.run(["validate", "w.yaml"], in: directory.path)
        #expect(result.status == 65)
        #expect(result.stderr.utf8.count > 256 << 10)
        #expect(result.stderr.components(separatedBy: "unknown key 'colour'").count - 1 == 3000)
    }
}
