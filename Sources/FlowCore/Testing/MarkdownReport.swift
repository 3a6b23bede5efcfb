import Foundation

/// The results as GitHub-flavoured Markdown, short enough for a pull-request comment or
/// `$GITHUB_STEP_SUMMARY`: the counts, the failing cases first (at most `limit` rows), the
/// regressions against a baseline, and where the full results are. Pure.
public enum MarkdownReport {
    public static func render(_ results: [CaseResult], comparison: BaselineComparison? = nil, limit: Int = 20,
                              artifact: String? = nil) -> String {
        let failed = results.filter { !$0.passed }
        let cost = RunResult.sum(results.map(\.costUSD))
        var out = "### flow test: \(results.count - failed.count) passed, \(failed.count) failed"
        out += " · \(Money.text(cost))"
        if let comparison { out += " · \(comparison.regressions.count) regressed against the baseline" }
        out += "\n\n"
        if let comparison, !comparison.regressions.isEmpty {
            out += "**Regressed**\n\n"
            for change in comparison.regressions.prefix(limit) {
                out += "- `\(cell(change.workflow))` \(cell(change.name))" + (change.message.map { ": \(cell($0))" } ?? "") + "\n"
            }
            out += "\n"
        }
        // Failures first, then the rest, each group in file order.
        let ordered = failed + results.filter(\.passed)
        out += "| case | workflow | result | runs | cost |\n|---|---|---|---|---|\n"
        for result in ordered.prefix(limit) {
            let status = result.providerError != nil ? "⚠️ error" : result.passed ? "✅ pass" : "❌ fail"
            out += "| \(cell(result.name)) | `\(cell(result.workflow))` | \(status) | \(result.passedRuns)/\(result.runs) | \(Money.text(result.costUSD)) |\n"
        }
        if ordered.count > limit { out += "\n…and \(ordered.count - limit) more cases.\n" }
        if let first = failed.first, let failure = first.providerError ?? first.failures.first?.message {
            out += "\nFirst failure — \(cell(first.name)): \(cell(failure))\n"
        }
        if let artifact { out += "\nFull results: \(artifact)\n" }
        return out
    }

    /// Text safe inside a table cell: pipes escaped, newlines folded, long text cut.
    static func cell(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "\\|")
        return flat.count > 160 ? String(flat.prefix(157)) + "…" : flat
    }
}
