import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// `flow test --baseline OLD.json --fail-on regression`: the gate CI keeps on pull requests.
@Suite struct BaselineGateTests {
    /// One scripted answer; "offers the refund" passes while it mentions one, and `second` is the other case.
    static func workflow(reply: String, second: String = """
          - name: already failing
            expect: [{contains: voucher}]
        """) -> String {
        """
        flow: 1
        model: mock/scripted
        steps: [{id: answer, user: "Customer asks for a refund."}]
        mock: ["\(reply)"]
        tests:
          - name: offers the refund
            expect: [{contains: refund}]
        \(second)
        """
    }

    @Test func aBrokenPromptIsARegressionAndAnOldFailureIsNot() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", Self.workflow(reply: "We will refund you today."))
        let before = try FlowBinary.run(["test", "w.yaml", "--json"], in: directory.path)
        #expect(before.status == 1)  // "already failing" fails in the baseline too
        try directory.write("old.json", before.stdout)
        // The same report as its own baseline: nothing regressed, so the gate passes.
        let same = try FlowBinary.run(["test", "w.yaml", "--baseline", "old.json", "--fail-on", "regression"], in: directory.path)
        #expect(same.status == 0, "\(same.stdout)")
        #expect(same.stdout.contains("against the baseline:\n  no regressions\n"), "\(same.stdout)")

        // A prompt change that loses the refund.
        try directory.write("w.yaml", Self.workflow(reply: "Thanks for your message."))
        let gated = try FlowBinary.run(["test", "w.yaml", "--baseline", "old.json", "--fail-on", "regression"], in: directory.path)
        #expect(gated.status == 1)
        #expect(gated.stdout.contains("regressed (1):\n  w.yaml: offers the refund: pass → fail — expected the output to contain \"refund\""), "\(gated.stdout)")
        #expect(!gated.stdout.contains("already failing: fail → fail"))
        let json = try JSON.parse(try FlowBinary.run(["test", "w.yaml", "--json", "--baseline", "old.json"], in: directory.path).stdout)
        #expect(json["baseline"]?["regressions"]?.array?.first?["name"] == .string("offers the refund"))

        let summary = try FlowBinary.run(["test", "w.yaml", "--baseline", "old.json", "--markdown", "summary.md"], in: directory.path,
                                         environment: ["FLOW_REPORT_URL": "https://ci.example/artifacts/42"])
        #expect(summary.status == 1)
        let markdown = try String(contentsOfFile: directory.path + "/summary.md", encoding: .utf8)
        #expect(markdown.hasPrefix("### flow test: 0 passed, 2 failed · $0 · 1 regressed against the baseline"), "\(markdown)")
        #expect(markdown.contains("| offers the refund | `w.yaml` | ❌ fail | 0/1 | $0 |") && markdown.contains("https://ci.example/artifacts/42"))

        // Against the commit instead of a file: the workflow as committed, replayed from its tree.
        try directory.write("w.yaml", Self.workflow(reply: "We will refund you today."))
        for command in [["init", "-q"], ["add", "w.yaml"], ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "baseline"]] {
            let git = Process()
            git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            git.arguments = ["git", "-C", directory.path] + command
            try git.run()
            git.waitUntilExit()
            #expect(git.terminationStatus == 0, "git \(command)")
        }
        try directory.write("w.yaml", Self.workflow(reply: "Thanks for your message."))
        let fromGit = try FlowBinary.run(["test", "w.yaml", "--baseline", "git:HEAD", "--fail-on", "regression"], in: directory.path)
        #expect(fromGit.status == 1)
        #expect(fromGit.stdout.contains("regressed (1):\n  w.yaml: offers the refund: pass → fail"), "\(fromGit.stdout) \(fromGit.stderr)")
        let unknown = try FlowBinary.run(["test", "w.yaml", "--baseline", "git:nosuchref"], in: directory.path)
        #expect(unknown.status == 66 && unknown.stderr.contains("'nosuchref' is not a commit"), "\(unknown.stderr)")

        let misuse = try FlowBinary.run(["test", "w.yaml", "--fail-on", "regression"], in: directory.path)
        #expect(misuse.status == 64 && misuse.stderr.contains("--fail-on regression needs --baseline"))
    }

    @Test func aBrokenPromptRegressesWhileARepeatedCaseMovesWithinItsNoise() throws {
        let directory = try TemporaryDirectory()
        func workflow(reply: String) -> String {
            Self.workflow(reply: reply, second: """
                  - name: sampled five times
                    repeat: 5
                    pass_rate: 0.6
                    expect: [{contains: "."}]
                """)
        }
        try directory.write("w.yaml", workflow(reply: "We will refund you today."))
        let before = try FlowBinary.run(["test", "w.yaml", "--json"], in: directory.path)
        // The baseline's sampled case passed 4 of 5 (a live run's noise); everything else as run.
        let cases = (try JSON.parse(before.stdout)["cases"]?.array ?? []).map { item -> JSON in
            guard item["name"]?.string == "sampled five times", case .object(let pairs) = item else { return item }
            return .object(pairs.map { $0.0 == "passed_runs" ? ($0.0, .int(4)) : $0 })
        }
        try directory.write("old.json", JSON.object([("cases", .array(cases))]).serialized)
        try directory.write("w.yaml", workflow(reply: "Thanks for your message."))
        let gated = try FlowBinary.run(["test", "w.yaml", "--baseline", "old.json", "--fail-on", "regression", "--json"], in: directory.path)
        #expect(gated.status == 1)
        let comparison = try JSON.parse(gated.stdout)["baseline"]
        #expect(comparison?["regressions"]?.array?.map { $0["name"] } == [.string("offers the refund")], "\(gated.stdout)")
        #expect(comparison?["noise"]?.array?.map { $0["name"] } == [.string("sampled five times")], "4/5 → 5/5 is within the uncertainty")
        #expect(comparison?["improvements"]?.array?.isEmpty == true)
    }
}
