import Testing
@testable import FlowCore

/// A run against its baseline: regressions, improvements, and what repeated cases' noise explains.
@Suite struct BaselineTests {
    func result(_ name: String, _ passed: Int, of runs: Int = 1, passRate: Double = 1, cost: Double? = 0.01, tokens: Int = 100,
                failure: String? = nil) -> CaseResult {
        CaseResult(workflow: "w.yaml", name: name, line: 1, runs: runs, passedRuns: passed, passRate: passRate,
                   failures: failure.map { [(file: nil, line: 3, message: $0)] } ?? [], providerError: nil, mode: .replay,
                   seconds: 0.1, costUSD: cost, tokens: tokens)
    }

    @Test func wilsonIntervals() {
        let four = BaselineComparison.wilson(passed: 4, runs: 5), three = BaselineComparison.wilson(passed: 3, runs: 5)
        #expect(abs(four.lower - 0.376) < 0.001 && abs(four.upper - 0.964) < 0.001)
        #expect(abs(three.lower - 0.231) < 0.001 && abs(three.upper - 0.882) < 0.001)
        #expect(BaselineComparison.wilson(passed: 0, runs: 0) == (0, 1))
    }

    @Test func caseByCase() {
        let baseline = [result("single", 1), result("fixed", 0, failure: "old"), result("broken both times", 0),
                        result("flaky", 4, of: 5, passRate: 0.6), result("collapsed", 10, of: 10), result("recovered", 2, of: 10, passRate: 0.5),
                        result("gone", 1)]
        let current = [result("single", 0, failure: "expected step a to contain \"refund\", got \"no\""), result("fixed", 1),
                       result("broken both times", 0), result("flaky", 3, of: 5, passRate: 0.6),
                       result("collapsed", 2, of: 10, failure: "wrong"), result("recovered", 10, of: 10, passRate: 0.5),
                       result("new", 1, cost: 0.05, tokens: 400)]
        let comparison = BaselineComparison(baseline: baseline, current: current)
        #expect(comparison.regressions.map(\.name) == ["single", "collapsed"])
        #expect(comparison.regressions.first?.message == "expected step a to contain \"refund\", got \"no\"")
        #expect(comparison.improvements.map(\.name) == ["fixed", "recovered"])
        #expect(comparison.noise.map(\.name) == ["flaky"])
        #expect(comparison.added == ["w.yaml · new"] && comparison.removed == ["w.yaml · gone"])
        #expect(comparison.tokensBefore == 700 && comparison.tokensAfter == 1000)
        #expect(abs((comparison.costAfter ?? 0) - 0.11) < 1e-9)
        let text = comparison.text
        #expect(text.contains("regressed (2):\n  w.yaml: single: pass → fail — expected step a to contain \"refund\", got \"no\"\n  w.yaml: collapsed: 10/10 → 2/10 — wrong\n"), "\(text)")
        #expect(text.contains("changed within the uncertainty of repeated runs, not judged (1):\n  w.yaml: flaky: 4/5 → 3/5\n"), "\(text)")
        #expect(comparison.json["regressions"]?.array?.count == 2)
    }
}

/// The Markdown for a pull request: failures first, short, safe in a table.
@Suite struct MarkdownReportTests {
    func result(_ name: String, passed: Bool, message: String? = nil) -> CaseResult {
        CaseResult(workflow: "workflows/w.yaml", name: name, line: 1, runs: 1, passedRuns: passed ? 1 : 0, passRate: 1,
                   failures: message.map { [(file: nil, line: 3, message: $0)] } ?? [], providerError: nil, mode: .replay,
                   seconds: 0.1, costUSD: 0, tokens: 10)
    }

    @Test func failuresFirstAndShort() {
        var results = [result("a passes", passed: true), result("b | pipes", passed: false, message: "expected x\ngot y")]
        results += (1...30).map { result("case \($0)", passed: true) }
        let comparison = BaselineComparison(baseline: [result("b | pipes", passed: true)], current: results)
        let markdown = MarkdownReport.render(results, comparison: comparison, limit: 5, artifact: "https://ci.example/run/7")
        #expect(markdown.hasPrefix("### flow test: 31 passed, 1 failed · $0 · 1 regressed against the baseline\n"))
        #expect(markdown.contains("**Regressed**\n\n- `workflows/w.yaml` b \\| pipes: expected x got y\n"))
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| case | workflow") }
        #expect(rows.count == 5 && rows.first == "| b \\| pipes | `workflows/w.yaml` | ❌ fail | 0/1 | $0 |", "\(rows)")
        #expect(markdown.contains("…and 27 more cases.") && markdown.hasSuffix("Full results: https://ci.example/run/7\n"))
    }
}
