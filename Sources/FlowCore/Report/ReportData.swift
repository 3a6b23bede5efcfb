import Foundation

/// What the HTML report shows, as the JSON its page reads: the run header, the case × variant
/// matrix, and per cell the results, the expectations, the baseline change and the transcript.
/// Pure. Long strings repeated across cells (a system prompt in every transcript) are stored
/// once in a string table, so a thousand cases stay a small file.
public enum ReportData {
    /// The run a report describes, beyond its cases.
    public struct Header: Sendable {
        /// The page's title.
        public var title: String
        /// The git commit the workflows were at, when known.
        public var commit: String?
        /// When the report was made (ISO 8601).
        public var date: String
        /// Each workflow file and the sha256 of its bytes.
        public var workflows: [(path: String, sha256: String?)]

        /// A header; `workflows` default to none.
        public init(title: String, commit: String?, date: String, workflows: [(path: String, sha256: String?)] = []) {
            self.title = title
            self.commit = commit
            self.date = date
            self.workflows = workflows
        }
    }

    /// The header of a report on `results`: each workflow with the sha256 its cases ran from.
    public static func header(for results: [CaseResult], title: String, commit: String?, date: String) -> Header {
        var workflows: [(path: String, sha256: String?)] = []
        for result in results where !workflows.contains(where: { $0.path == result.workflow }) {
            workflows.append((result.workflow, result.workflowSHA256))
        }
        return Header(title: title, commit: commit, date: date, workflows: workflows)
    }

    /// Now, as reports date themselves (ISO 8601, UTC).
    public static func now() -> String { UTCTime.iso8601(Date()) }

    /// One run's transcript as a report of one cell, and its header: `flow show --html`.
    public static func run(_ events: [JSON], path: String) -> (CaseResult, Header) {
        let start = events.first { $0["type"]?.string == "run_start" }
        let end = events.first { $0["type"]?.string == "run_end" }
        let totals = end?["totals"]
        let status = end?["status"]?.string
        var result = CaseResult(workflow: start?["workflow"]?.string ?? path, name: start?["name"]?.string ?? "run", line: 0,
                                runs: 1, passedRuns: status == "succeeded" ? 1 : 0, passRate: 1,
                                failures: events.filter { $0["type"]?.string == "error" }.map { (nil, 0, $0["message"]?.string ?? "") },
                                providerError: nil, mode: (totals?["offline_calls"]?.int ?? 0) > 0 ? .replay : .live,
                                seconds: (events.last?["t_ms"]?.double ?? 0) / 1000, costUSD: totals?["cost_usd"]?.double,
                                tokens: (totals?["input_tokens"]?.int ?? 0) + (totals?["output_tokens"]?.int ?? 0))
        result.answerCostUSD = totals?["recorded_cost_usd"]?.double ?? result.costUSD
        result.workflowSHA256 = start?["workflow_sha256"]?.string
        // Trimmed here as `flow test` trims what it keeps, so every trace reaches the page trimmed once.
        result.trace = CaseTrace(events: events.compactMap(CaseTrace.reportable))
        let header = Header(title: "flow run: " + result.name + (status.map { " (\($0))" } ?? ""), commit: start?["git_commit"]?.string,
                            date: start?["started_at"]?.string ?? "", workflows: [(result.workflow, result.workflowSHA256)])
        return (result, header)
    }

    /// Strings at least this long that occur twice or more go in the string table.
    static let internLength = 12

    /// The page's data for `results` as JSON text, compared with `comparison` when given.
    /// With `baseline` results that kept their transcripts, each cell also carries the baseline's
    /// answer, which the page shows as a word diff against this run's.
    public static func json(_ results: [CaseResult], comparison: BaselineComparison?, baseline: [CaseResult]? = nil,
                            header: Header) -> String {
        let before = Dictionary((baseline ?? []).map { ($0.baselineKey, $0) }, uniquingKeysWith: { first, _ in first })
        var workflows: [String] = header.workflows.map(\.path)
        for result in results where !workflows.contains(result.workflow) { workflows.append(result.workflow) }
        let changes = changeIndex(comparison)
        var rows: [JSON] = []
        var groups: [JSON] = []
        var ordered: [CaseResult] = []
        // A matrix per workflow: each has its own variants (or one column, the workflow as written).
        for (workflow, cases) in VariantMatrix.byWorkflow(results) {
            let matrix = VariantMatrix(cases)
            for row in matrix.rows {
                var indices: [JSON] = []
                for cell in row.cells {
                    guard let result = cell else { indices.append(.null); continue }
                    indices.append(.int(ordered.count))
                    ordered.append(result)
                }
                rows.append(.object([("g", .int(groups.count)), ("name", .string(row.name)),
                                     ("line", .int(row.cells.compactMap { $0?.line }.first ?? 0)), ("cells", .array(indices))]))
            }
            groups.append(.object([
                ("w", .int(workflows.firstIndex(of: workflow) ?? 0)),
                ("variants", .array(matrix.variants.map(JSON.string))),
                ("totals", .array(matrix.totals.map { total in
                    .object([("passed", .int(total.passed)), ("cases", .int(total.cases)), ("cost", .string(Money.text(total.costUSD))),
                             ("tokens", .int(total.tokens)), ("seconds", .double((total.seconds * 100).rounded() / 100))])
                })),
            ]))
        }
        func cell(_ result: CaseResult) -> JSON {
            let key = result.baselineKey
            let cell = self.cell(result, change: changes[key])
            guard let old = before[key].flatMap(answer), old != answer(result) else { return cell }
            return cell.adding([("before_answer", .string(old))])
        }
        // Two passes, so the page's data is built once, already interned: the strings are counted
        // over cells made and dropped one at a time, then each cell is made again and interned as
        // it is kept. Ten thousand cells never exist twice.
        var table = StringTable()
        for result in ordered { table.count(cell(result)) }
        let passed = results.filter(\.passed).count
        let data = JSON.object(omittingNil: [
            ("title", .string(header.title)), ("commit", header.commit.map(JSON.string)), ("date", .string(header.date)),
            ("workflows", .array(workflows.map { path in
                .object(omittingNil: [("path", .string(path)),
                                      ("sha256", header.workflows.first { $0.path == path }?.sha256.map(JSON.string))])
            })),
            ("summary", .object([("cases", .int(results.count)), ("passed", .int(passed)), ("failed", .int(results.count - passed)),
                                 ("spent", .string(Money.text(RunResult.sum(results.map(\.costUSD))))),
                                 ("list_cost", .string(Money.text(RunResult.sum(results.map(\.answerCostUSD))))),
                                 ("tokens", .int(results.reduce(0) { TokenCount.add($0, $1.tokens) }))])),
            ("baseline", comparison.map { comparison in
                .object([("regressed", .int(comparison.regressions.count)), ("improved", .int(comparison.improvements.count)),
                         ("noise", .int(comparison.noise.count)), ("added", .int(comparison.added.count)),
                         ("removed", .int(comparison.removed.count))])
            }),
            ("groups", .array(groups)),
            ("rows", .array(rows)),
        ])
        table.count(data)
        // Each cell is serialized as soon as it is made: the page's text grows, no second tree does.
        let cells = ordered.map { table.intern(cell($0)).serialized }
        guard case .object(let pairs) = table.intern(data) else { return data.serialized }
        let head = JSON.object([("strings", .array(table.strings.map(JSON.string)))] + pairs).serialized
        return head.dropLast() + ",\"cells\":[" + cells.joined(separator: ",") + "]}"
    }

    /// The last answer of a case's kept transcript (a judge's verdict is not the answer).
    static func answer(_ result: CaseResult) -> String? {
        result.trace?.events.last { EventType(of: $0) == .response && $0["step"]?.string != "judge" }?["content"]?.string
    }

    /// How each case changed against the baseline, by workflow and case name (with its variant).
    static func changeIndex(_ comparison: BaselineComparison?) -> [String: JSON] {
        guard let comparison else { return [:] }
        var index: [String: JSON] = [:]
        func add(_ changes: [BaselineComparison.Change], _ kind: String) {
            for change in changes {
                index[CaseResult.baselineKey(workflow: change.workflow, displayName: change.name)] = .object([
                    ("kind", .string(kind)), ("before", .string("\(change.before.passed)/\(change.before.runs)")),
                    ("after", .string("\(change.after.passed)/\(change.after.runs)"))])
            }
        }
        add(comparison.regressions, "regressed")
        add(comparison.improvements, "improved")
        add(comparison.noise, "noise")
        for key in comparison.added { index[key] = .object([("kind", .string("added"))]) }
        return index
    }

    static func cell(_ result: CaseResult, change: JSON?) -> JSON {
        let failedLines = Set(result.failures.map(\.line))
        return .object(omittingNil: [
            ("status", .string(result.providerError != nil ? "error" : result.passed ? "pass" : "fail")),
            ("variant", result.variant.map(JSON.string)),
            ("runs", .string("\(result.passedRuns)/\(result.runs)")), ("mode", .string(result.mode.rawValue)),
            ("cost", .string(Money.text(result.answerCostUSD))), ("spent", .string(Money.text(result.costUSD))),
            ("tokens", .int(result.tokens)), ("seconds", .double((result.seconds * 1000).rounded() / 1000)),
            ("error", result.providerError.map(JSON.string)),
            ("failures", .array(result.failures.map { .object([("at", .string("\($0.file ?? result.workflow):\($0.line)")), ("message", .string($0.message))]) })),
            ("checks", result.checks.isEmpty ? nil : .array(result.checks.map { check in
                .object([("line", .int(check.line)), ("text", .string(check.text)), ("passed", .bool(!failedLines.contains(check.line)))])
            })),
            ("change", change),
            ("trace", result.trace.map { .array($0.events) }),
        ])
    }

}

/// Long strings that occur more than once, stored once: a value `{"$": index}` stands for
/// `strings[index]`. Counting comes first, over everything the page will hold; then `intern`
/// replaces each repeated string by its place.
struct StringTable {
    private var counts: [String: Int] = [:]
    private var positions: [String: Int] = [:]
    /// The strings stood for, in the order first met.
    private(set) var strings: [String] = []

    mutating func count(_ value: JSON) {
        switch value {
        case .string(let text) where text.utf8.count >= ReportData.internLength: counts[text, default: 0] += 1
        case .array(let items): for item in items { count(item) }
        case .object(let pairs): for pair in pairs { count(pair.1) }
        default: break
        }
    }

    mutating func intern(_ value: JSON) -> JSON {
        switch value {
        case .string(let text) where (counts[text] ?? 0) > 1:
            if let position = positions[text] { return .object([("$", .int(position))]) }
            positions[text] = strings.count
            strings.append(text)
            return .object([("$", .int(strings.count - 1))])
        case .array(let items): return .array(items.map { intern($0) })
        case .object(let pairs): return .object(pairs.map { ($0.0, intern($0.1)) })
        default: return value
        }
    }
}
