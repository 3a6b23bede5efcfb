import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// Shards run apart (CI machines) and their `--json` reports merge into one report, one JUnit
/// file and one exit status, the same as one unsharded run.
@Suite struct ShardMergeTests {
    @Test func mergedShardsReportLikeOneRun() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", """
            flow: 1
            model: mock/m
            vars: {n: "0"}
            steps: [{id: a, user: "n={{n}}"}]
            tests:
            \((1...7).map { "  - {name: c\($0), vars: {n: \"\($0)\"}, mock: [\($0 == 5 ? "wrong" : "fine")], expect: [{contains: fine}]}" }.joined(separator: "\n"))
            """)
        var reports: [String] = []
        for shard in 1...3 {
            let result = try FlowBinary.run(["test", "w.yaml", "--shard", "\(shard)/3", "--json"], in: directory.path, environment: ["CI": "true"])
            try directory.write("shard\(shard).json", result.stdout)
            reports.append("shard\(shard).json")
        }
        let whole = try FlowBinary.run(["test", "w.yaml", "--json"], in: directory.path, environment: ["CI": "true"])
        let merged = try FlowBinary.run(["test", "--merge"] + reports + ["--json", "--junit", "all.xml"], in: directory.path,
                                        environment: ["CI": "true"])
        #expect(merged.status == whole.status && merged.status == 1, "one case fails in both")
        let a = try JSON.parse(merged.stdout), b = try JSON.parse(whole.stdout)
        #expect(a["passed"] == b["passed"] && a["failed"] == b["failed"] && a["passed"] == .int(6))
        let names = Set((a["cases"]?.array ?? []).compactMap { $0["name"]?.string })
        #expect(names == Set((1...7).map { "c\($0)" }))
        let junit = try String(contentsOfFile: directory.path + "/all.xml", encoding: .utf8)
        #expect(junit.contains("tests=\"7\"") && junit.contains("failures=\"1\""), "\(junit.prefix(300))")
        let bad = try FlowBinary.run(["test", "--merge", "w.yaml"], in: directory.path, environment: ["CI": "true"])
        #expect(bad.status == 66 && bad.stderr.contains("w.yaml: error:") && bad.stderr.contains("--merge takes the files written by"))
    }
}
