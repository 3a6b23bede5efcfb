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
        let plain = results.filter { $0.variant == nil }
        if !plain.isEmpty { out += table(plain.filter { !$0.passed } + plain.filter(\.passed), limit: limit) }
        for (workflow, cases) in VariantMatrix.byWorkflow(results.filter { $0.variant != nil }) {
            out += "\n`\(cell(workflow))`\n\n" + matrix(VariantMatrix(cases), limit: limit)
        }
        if let first = failed.first, let failure = first.providerError ?? first.failures.first?.message {
            out += "\nFirst failure — \(cell(first.displayName)): \(cell(failure))\n"
        }
        if let artifact { out += "\nFull results: \(artifact)\n" }
        return out
    }

    /// One row per case, failures first, then the rest, each group in file order.
    static func table(_ ordered: [CaseResult], limit: Int) -> String {
        var out = ""
        out += "| case | workflow | result | runs | cost |\n|---|---|---|---|---|\n"
        for result in ordered.prefix(limit) {
            let status = result.providerError != nil ? "⚠️ error" : result.passed ? "✅ pass" : "❌ fail"
            out += "| \(cell(result.displayName)) | `\(cell(result.workflow))` | \(status) | \(result.passedRuns)/\(result.runs) | \(Money.text(result.costUSD)) |\n"
        }
        if ordered.count > limit { out += "\n…and \(ordered.count - limit) more cases.\n" }
        return out
    }

    /// The case × variant matrix: rows with a failing cell first, then totals per variant.
    static func matrix(_ matrix: VariantMatrix, limit: Int) -> String {
        var out = "| case | " + matrix.variants.map(cell).joined(separator: " | ") + " |\n"
        out += "|---|" + String(repeating: "---|", count: matrix.variants.count) + "\n"
        func failing(_ row: VariantMatrix.Row) -> Bool { row.cells.contains { $0.map { !$0.passed } ?? false } }
        let ordered = matrix.rows.filter(failing) + matrix.rows.filter { !failing($0) }
        for row in ordered.prefix(limit) {
            out += "| \(cell(row.name)) | " + row.cells.map { result in
                guard let result else { return "–" }
                return (result.providerError != nil ? "⚠️" : result.passed ? "✅" : "❌") + " \(Money.text(result.costUSD))"
            }.joined(separator: " | ") + " |\n"
        }
        out += "| **passed** | " + matrix.totals.map { "**\($0.passed)/\($0.cases)** \(Money.text($0.costUSD))" }.joined(separator: " | ") + " |\n"
        if ordered.count > limit { out += "\n…and \(ordered.count - limit) more cases.\n" }
        return out
    }

    /// Text safe inside a table cell: pipes escaped, newlines folded, long text cut.
    static func cell(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "\\|")
        return flat.count > 160 ? String(flat.prefix(157)) + "…" : flat
    }
}
