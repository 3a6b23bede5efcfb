import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// The real tool runner: argv without a shell, JSON on stdin, bounded output, timeouts, no keys.
@Suite struct ToolRunnerTests {
    func tool(_ run: [String], timeout: Double = 5, env: [String] = []) -> ToolDeclaration {
        .named("t", run: run, timeout: timeout, env: env)
    }

    let runner = ProcessToolRunner(baseDirectory: NSTemporaryDirectory())

    @Test func argumentsArriveOnStdinAndStdoutIsTheResult() async {
        let result = await runner.run(tool(["cat"]), arguments: .object([("city", .string("Paris"))]))
        #expect(result.content == #"{"city":"Paris"}"#)
        #expect(!result.isError)
    }

    @Test func noShellInterpretsTheArguments() async {
        let result = await runner.run(tool(["echo", "$HOME", ";", "ls"]), arguments: .null)
        #expect(result.content == "$HOME ; ls\n")
    }

    @Test func nonZeroExitIsAnErrorResultWithStderr() async {
        let result = await runner.run(tool(["sh", "-c", "echo broken >&2; exit 3"]), arguments: .null)
        #expect(result.isError)
        #expect(result.content == "tool 't' exited with status 3: broken")
    }

    @Test func timeoutStopsTheTool() async throws {
        // The tool would write a marker after 2 s; stopped at 0.3 s, it never does.
        let scratch = try TemporaryDirectory(prefix: "flow-tool-marker")
        defer { withExtendedLifetime(scratch) {} }  // kept until the test ends, then removed
        let marker = scratch.path + "/marker"
        let result = await runner.run(tool(["sh", "-c", "sleep 2; echo done > \(marker)"], timeout: 0.3), arguments: .null)
        #expect(result.isError)
        #expect(result.content == "tool 't' timed out after 0.3 s")
        try await Task.sleep(nanoseconds: 2_500_000_000)
        #expect(!FileManager.default.fileExists(atPath: marker), "the tool was stopped, not left running")
    }

    @Test func providerKeysAreNotPassedUnlessNamed() async {
        setenv("FLOW_TEST_API_KEY", "sk-tool-LEAK", 1)
        defer { unsetenv("FLOW_TEST_API_KEY") }
        let hidden = await runner.run(tool(["sh", "-c", "echo \"[$FLOW_TEST_API_KEY]\""]), arguments: .null)
        #expect(hidden.content == "[]\n")
        let passed = await runner.run(tool(["sh", "-c", "echo \"[$FLOW_TEST_API_KEY]\""], env: ["FLOW_TEST_API_KEY"]), arguments: .null)
        #expect(passed.content == "[sk-tool-LEAK]\n")
    }

    @Test func outputIsBounded() async {
        var small = runner
        small.maxOutputBytes = 100
        let result = await small.run(tool(["sh", "-c", "yes x | tr -d '\\n' | head -c 5000"]), arguments: .null)
        #expect(result.content.hasPrefix(String(repeating: "x", count: 100) + "\n[output cut at 100 bytes]"))
    }

    @Test func missingProgramIsAnError() async {
        let result = await runner.run(tool(["/nonexistent/tool"]), arguments: .null)
        #expect(result.isError)
        #expect(result.content.hasPrefix("tool 't' could not start: "))
    }
}

extension ToolDeclaration {
    /// A tool for the runner's tests: `run` is its argv.
    static func named(_ name: String, run: [String], timeout: Double = 5, env: [String] = []) -> ToolDeclaration {
        ToolDeclaration(name: name, description: "", parameters: .object([]), run: run, timeout: timeout, environment: env,
                        mark: .init(line: 1, column: 1))
    }
}
