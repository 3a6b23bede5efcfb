import Foundation

/// The case × variant table of a run with `variants:`: one row per case, one column per
/// variant, each cell the case under that variant (pass/fail, cost, tokens, time), and totals
/// per variant. Pure; the summary, the Markdown and the HTML report all read it.
public struct VariantMatrix: Sendable {
    /// One case: its workflow and name, and its result under each variant (nil where it did not run).
    public struct Row: Sendable {
        /// The workflow file the case is in.
        public var workflow: String
        /// The case's name (without a variant).
        public var name: String
        /// The case under each variant, in the order of `variants`.
        public var cells: [CaseResult?]
    }

    /// What one variant came to over every case.
    public struct Total: Sendable {
        /// Cases that passed under the variant.
        public var passed = 0
        /// Cases that ran under it.
        public var cases = 0
        /// Their cost at list price; nil when a model had no price.
        public var costUSD: Double? = 0
        /// Their tokens, the judges' included.
        public var tokens = 0
        /// Their wall time.
        public var seconds = 0.0
    }

    /// The column label of results with no variant: the workflow as written.
    public static let asWritten = "as written"
    /// Variant names in the order first met (the workflows' order).
    public var variants: [String] = []
    /// One row per case, in the order first met.
    public var rows: [Row] = []
    /// Per variant, in the order of `variants`.
    public var totals: [Total] = []

    /// The table of `results`.
    public init(_ results: [CaseResult]) {
        var rowIndex: [String: Int] = [:]
        for result in results where !variants.contains(result.variant ?? Self.asWritten) { variants.append(result.variant ?? Self.asWritten) }
        totals = Array(repeating: Total(), count: variants.count)
        for result in results {
            let column = variants.firstIndex(of: result.variant ?? Self.asWritten)!
            let key = result.workflow + "\u{0}" + result.name
            if rowIndex[key] == nil {
                rowIndex[key] = rows.count
                rows.append(Row(workflow: result.workflow, name: result.name, cells: Array(repeating: nil, count: variants.count)))
            }
            rows[rowIndex[key]!].cells[column] = result
            totals[column].cases += 1
            if result.passed { totals[column].passed += 1 }
            totals[column].costUSD = RunResult.sum([totals[column].costUSD, result.answerCostUSD])
            totals[column].tokens = TokenCount.add(totals[column].tokens, result.tokens)
            totals[column].seconds += result.seconds
        }
    }

    /// `results` by workflow, in the order the workflows first appear.
    public static func byWorkflow(_ results: [CaseResult]) -> [(workflow: String, results: [CaseResult])] {
        var groups: [(workflow: String, results: [CaseResult])] = []
        for result in results {
            if let index = groups.firstIndex(where: { $0.workflow == result.workflow }) {
                groups[index].results.append(result)
            } else {
                groups.append((result.workflow, [result]))
            }
        }
        return groups
    }

    /// One cell as text: `pass $0.0012 840t 0.31s`, or `-` where the case did not run. The cost is
    /// at list price, replayed answers at the price they were recorded at, so a replay compares too.
    public static func cell(_ result: CaseResult?) -> String {
        guard let result else { return "-" }
        let status = result.providerError != nil ? "error" : result.passed ? "pass" : "FAIL"
        let runs = result.runs > 1 ? " \(result.passedRuns)/\(result.runs)" : ""
        return "\(status)\(runs) \(Money.text(result.answerCostUSD)) \(result.tokens)t " + String(format: "%.2fs", result.seconds)
    }

    /// The table as the terminal summary prints it, totals last.
    public var text: String {
        let nameWidth = min(48, max(4, rows.map(\.name.count).max() ?? 4)) + 2
        let cellWidth = max(30, variants.map(\.count).max() ?? 0) + 2
        func pad(_ text: String, _ width: Int) -> String {
            let cut = text.count > width - 2 ? String(text.prefix(width - 5)) + "..." : text
            return cut.padding(toLength: width, withPad: " ", startingAt: 0)
        }
        var out = pad("case", nameWidth) + variants.map { pad($0, cellWidth) }.joined() + "\n"
        for row in rows { out += pad(row.name, nameWidth) + row.cells.map { pad(Self.cell($0), cellWidth) }.joined() + "\n" }
        out += pad("passed", nameWidth) + totals.map { pad("\($0.passed)/\($0.cases)", cellWidth) }.joined() + "\n"
        out += pad("list cost", nameWidth) + totals.map { pad(Money.text($0.costUSD), cellWidth) }.joined() + "\n"
        out += pad("tokens", nameWidth) + totals.map { pad(String($0.tokens), cellWidth) }.joined() + "\n"
        out += pad("time", nameWidth) + totals.map { pad(String(format: "%.2fs", $0.seconds), cellWidth) }.joined() + "\n"
        return out
    }
}
