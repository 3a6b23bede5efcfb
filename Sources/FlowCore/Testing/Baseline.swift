import Foundation

/// This run's cases against a baseline's (an earlier `flow test --json`), case by case. Pure.
///
/// A case run once regresses when it passed before and fails now. A case run several times
/// (`repeat:`) is judged on its pass rate with the binomial uncertainty: each rate gets its 95%
/// Wilson score interval, and the change counts only when the intervals do not overlap — so
/// 4/5 → 3/5 is noise, 10/10 → 2/10 is a regression.
public struct BaselineComparison: Sendable {
    /// One case found in both runs.
    public struct Change: Sendable {
        public var workflow: String
        public var name: String
        public var before: (passed: Int, runs: Int)
        public var after: (passed: Int, runs: Int)
        /// The first failure message now, for a regression.
        public var message: String?
    }

    public var regressions: [Change] = []
    public var improvements: [Change] = []
    /// Pass-rate changes within the uncertainty of repeated cases: reported, not judged.
    public var noise: [Change] = []
    public var added: [String] = []
    public var removed: [String] = []
    public var costBefore: Double?
    public var costAfter: Double?
    public var tokensBefore = 0
    public var tokensAfter = 0

    /// Compares by workflow and case name (lines move when a file is edited).
    public init(baseline: [CaseResult], current: [CaseResult]) {
        func key(_ result: CaseResult) -> String { result.baselineKey }
        let old = Dictionary(baseline.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        let new = Set(current.map(key))
        for result in current {
            guard let before = old[key(result)] else {
                added.append(key(result))
                continue
            }
            var change = Change(workflow: result.workflow, name: result.displayName, before: (before.passedRuns, before.runs),
                                after: (result.passedRuns, result.runs), message: result.providerError ?? result.failures.first?.message)
            if before.runs <= 1 && result.runs <= 1 {
                if before.passed && !result.passed { regressions.append(change) }
                if !before.passed && result.passed {
                    change.message = nil
                    improvements.append(change)
                }
                continue
            }
            let was = Self.wilson(passed: before.passedRuns, runs: before.runs), now = Self.wilson(passed: result.passedRuns, runs: result.runs)
            if now.upper < was.lower {
                regressions.append(change)
            } else if now.lower > was.upper {
                change.message = nil
                improvements.append(change)
            } else if before.passedRuns * max(result.runs, 1) != result.passedRuns * max(before.runs, 1) {
                change.message = nil
                noise.append(change)
            }
        }
        removed = baseline.map(key).filter { !new.contains($0) }
        costBefore = RunResult.sum(baseline.map(\.costUSD))
        costAfter = RunResult.sum(current.map(\.costUSD))
        tokensBefore = baseline.reduce(0) { TokenCount.add($0, $1.tokens) }
        tokensAfter = current.reduce(0) { TokenCount.add($0, $1.tokens) }
    }

    /// The 95% Wilson score interval of `passed` in `runs` (z = 1.96).
    public static func wilson(passed: Int, runs: Int) -> (lower: Double, upper: Double) {
        guard runs > 0 else { return (0, 1) }
        let n = Double(runs), p = Double(passed) / n, z = 1.96
        let center = (p + z * z / (2 * n)) / (1 + z * z / n)
        let half = z / (1 + z * z / n) * ((p * (1 - p) / n + z * z / (4 * n * n)).squareRoot())
        return (max(0, center - half), min(1, center + half))
    }

    /// The comparison as a person reads it, after the summary.
    public var text: String {
        func rate(_ counts: (passed: Int, runs: Int)) -> String { counts.runs <= 1 ? (counts.passed == 1 ? "pass" : "fail") : "\(counts.passed)/\(counts.runs)" }
        func line(_ change: Change) -> String {
            "  \(change.workflow): \(change.name): \(rate(change.before)) → \(rate(change.after))" + (change.message.map { " — \($0)" } ?? "")
        }
        var out = "\nagainst the baseline:\n"
        out += regressions.isEmpty ? "  no regressions\n" : "regressed (\(regressions.count)):\n" + regressions.map(line).joined(separator: "\n") + "\n"
        if !improvements.isEmpty { out += "improved (\(improvements.count)):\n" + improvements.map(line).joined(separator: "\n") + "\n" }
        if !noise.isEmpty {
            out += "changed within the uncertainty of repeated runs, not judged (\(noise.count)):\n" + noise.map(line).joined(separator: "\n") + "\n"
        }
        if !added.isEmpty { out += "new cases (\(added.count)): " + added.joined(separator: "; ") + "\n" }
        if !removed.isEmpty { out += "cases gone (\(removed.count)): " + removed.joined(separator: "; ") + "\n" }
        out += "cost \(Money.text(costBefore)) → \(Money.text(costAfter))" + delta(costBefore, costAfter)
            + ", tokens \(tokensBefore) → \(tokensAfter) (\(tokensAfter >= tokensBefore ? "+" : "")\(tokensAfter - tokensBefore))\n"
        return out
    }

    private func delta(_ before: Double?, _ after: Double?) -> String {
        guard let before, let after else { return "" }
        let change = after - before
        return " (" + (change >= 0 ? "+" : "-") + Money.text(abs(change)) + ")"
    }

    /// The comparison for scripts (`--json`, under `baseline`).
    public var json: JSON {
        func entry(_ change: Change) -> JSON {
            .object(omittingNil: [("workflow", .string(change.workflow)), ("name", .string(change.name)),
                                  ("before", .object([("passed", .int(change.before.passed)), ("runs", .int(change.before.runs))])),
                                  ("after", .object([("passed", .int(change.after.passed)), ("runs", .int(change.after.runs))])),
                                  ("message", change.message.map(JSON.string))])
        }
        return .object([("regressions", .array(regressions.map(entry))), ("improvements", .array(improvements.map(entry))),
                        ("noise", .array(noise.map(entry))), ("added", .array(added.map(JSON.string))), ("removed", .array(removed.map(JSON.string))),
                        ("cost_usd", .object([("before", costBefore.map(JSON.double) ?? .null), ("after", costAfter.map(JSON.double) ?? .null)])),
                        ("tokens", .object([("before", .int(tokensBefore)), ("after", .int(tokensAfter))]))])
    }
}
