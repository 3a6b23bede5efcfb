import Foundation
import Testing
@testable import FlowCore

/// Tools that misbehave, as real scripts: forking a child that keeps stdout open, never reading
/// stdin, inheriting ignored signals, reading secrets from the environment.
@Suite struct HostileToolTests {
    func tool(_ run: [String], timeout: Double = 5, env: [String] = []) -> ToolDeclaration {
        .named("t", run: run, timeout: timeout, env: env)
    }

    let runner = ProcessToolRunner(baseDirectory: NSTemporaryDirectory())

    func seconds(_ work: () async -> Void) async -> Double {
        let start = Date()
        await work()
        return Date().timeIntervalSince(start)
    }

    @Test func aForkedChildHoldingStdoutDoesNotHoldTheCall() async {
        var result: (content: String, isError: Bool) = ("", true)
        let elapsed = await seconds {
            result = await runner.run(tool(["sh", "-c", "sleep 30 & echo done"], timeout: 20), arguments: .null)
        }
        #expect(result == ("done\n", false))
        #expect(elapsed < 10, "returned when the tool exited, not when its child did (\(elapsed) s)")
    }

    @Test func aToolThatNeverReadsItsInputTimesOutOnTime() async {
        // 1 MiB: far past a pipe's 64 KiB buffer, so the write blocks on a tool that never reads.
        let large = JSON.object([("text", .string(String(repeating: "x", count: 1 << 20)))])
        var result: (content: String, isError: Bool) = ("", false)
        let elapsed = await seconds {
            result = await runner.run(tool(["sleep", "30"], timeout: 1), arguments: large)
        }
        #expect(result == ("tool 't' timed out after 1.0 s", true))
        // Before, the write blocked until the tool exited (30 s) and the result was an empty success.
        #expect(elapsed < 20, "the timeout covers writing the input too (\(elapsed) s)")
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
