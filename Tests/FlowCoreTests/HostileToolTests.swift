import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// Tools that misbehave, as real scripts: forking a child that keeps stdout open, never reading
/// stdin, inheriting ignored signals, reading secrets from the environment.
@Suite struct HostileToolTests {
    func tool(_ run: [String], timeout: Double = 5, env: [String] = []) -> ToolDeclaration {
        .named("t", run: run, timeout: timeout, env: env)
    }

    let runner = ProcessToolRunner(baseDirectory: NSTemporaryDirectory())

    /// Before, the call lasted as long as the child (300 s, past the time limit); no wall-clock
    /// bound is asserted, since a loaded test machine can delay any task.
    @Test(.timeLimit(.minutes(1))) func aForkedChildHoldingStdoutDoesNotHoldTheCall() async throws {
        let scratch = try TemporaryDirectory(prefix: "flow-child")
        defer { withExtendedLifetime(scratch) {} }  // kept until the test ends, then removed
        let file = scratch.path + "/pid"
        let result = await runner.run(tool(["sh", "-c", "sleep 300 & echo $! > \(file); echo done"], timeout: 120), arguments: .null)
        #expect(result == ("done\n", false))
        let child = try #require(Int32(try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(child, 0) != 0 || (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?.contains(") Z ") == true,
                "the child went with the tool's group")
    }

    /// Before, the write blocked until the tool exited (300 s, past the time limit), and the
    /// result was an empty success.
    @Test(.timeLimit(.minutes(1))) func aToolThatNeverReadsItsInputTimesOutOnTime() async {
        // 1 MiB: far past a pipe's 64 KiB buffer, so the write blocks on a tool that never reads.
        let large = JSON.object([("text", .string(String(repeating: "x", count: 1 << 20)))])
        let result = await runner.run(tool(["sleep", "300"], timeout: 1), arguments: large)
        #expect(result == ("tool 't' timed out after 1.0 s", true))
    }

    @Test func toolsStartWithDefaultSignalsInTheirOwnProcessGroup() async throws {
        signal(SIGINT, SIG_IGN)       // as flow run does, and as a child would inherit
        defer { signal(SIGINT, SIG_DFL) }
        let result = await runner.run(tool(["sh", "-c", "grep SigIgn /proc/$$/status; ps -o pgid= -p $$; echo $$"]), arguments: .null)
        let lines = result.content.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        try #require(lines.count == 3, "\(result.content)")
        let ignored = UInt64(lines[0].split(separator: "\t").last ?? "", radix: 16) ?? 1
        #expect(ignored & (1 << (UInt64(SIGINT) - 1)) == 0, "SIGINT is not ignored in the tool")
        #expect(ignored & (1 << (UInt64(SIGTERM) - 1)) == 0)
        #expect(lines[1] == lines[2], "the tool leads its own process group")
    }

    @Test func onlyAllowListedVariablesAndTheToolsOwnReachIt() {
        let given = ["PATH": "/bin", "HOME": "/h", "LANG": "C.UTF-8", "LC_ALL": "C", "TZ": "UTC", "TMPDIR": "/t",
                     "LOCAL_LLM_KEY": "k1", "AWS_SECRET_ACCESS_KEY": "k2", "GITHUB_PAT": "k3", "openai_api_key": "k4",
                     "DATABASE_URL": "postgres://u:p@h/db", "WEATHER_TOKEN": "w"]
        let environment = ProcessToolRunner.environment(for: tool(["x"], env: ["WEATHER_TOKEN"]), from: given)
        #expect(environment.keys.sorted() == ["HOME", "LANG", "LC_ALL", "PATH", "TMPDIR", "TZ", "WEATHER_TOKEN"])
    }

    @Test func theEnvironmentAToolSeesHoldsNoSecret() async {
        setenv("GITHUB_PAT", "ghp_secret_value", 1)
        setenv("openai_api_key", "sk-lower-secret", 1)
        defer { unsetenv("GITHUB_PAT"); unsetenv("openai_api_key") }
        let result = await runner.run(tool(["env"]), arguments: .null)
        #expect(!result.content.contains("ghp_secret_value") && !result.content.contains("sk-lower-secret"))
        #expect(result.content.contains("PATH="))
    }
}
