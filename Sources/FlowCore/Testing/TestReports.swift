import Foundation

/// What `flow test` prints and writes. Pure.
public enum TestReports {
    /// Replayed and scripted cases cost $0: the cost column is money spent.
    /// Workflows with `variants:` get a case × variant matrix each, after the table of the others.
    public static func summary(_ results: [CaseResult]) -> String {
        let plain = results.filter { $0.variant == nil }
        guard plain.count < results.count else { return table(results) + failureList(results) }
        var out = plain.isEmpty ? "" : table(plain, counts: false) + "\n"
        for (workflow, cases) in VariantMatrix.byWorkflow(results.filter { $0.variant != nil }) {
            out += workflow + "\n" + VariantMatrix(cases).text + "\n"
        }
        let failed = results.filter { !$0.passed }.count
        return out + "\(results.count - failed) passed, \(failed) failed" + spent(results) + "\n" + failureList(results)
    }

    /// One line per case, and the counts unless the caller says them.
    static func table(_ results: [CaseResult], counts: Bool = true) -> String {
        let width = min(60, max(4, results.map(\.name.count).max() ?? 4)) + 2
        var out = "case".padding(toLength: width, withPad: " ", startingAt: 0) + "result  mode     runs     time      cost\n"
        for result in results {
            let name = result.name.count > width - 2 ? String(result.name.prefix(width - 5)) + "..." : result.name
            let status = result.providerError != nil ? "error " : result.passed ? "pass  " : "FAIL  "
            out += name.padding(toLength: width, withPad: " ", startingAt: 0) + status + "  "
                + result.mode.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
                + String(format: "%3d/%-3d %7.2fs", result.passedRuns, result.runs, result.seconds)
                + " " + Money.text(result.costUSD).leftPadded(to: 9) + "\n"
        }
        let failed = results.filter { !$0.passed }.count
        return counts ? out + "\n\(results.count - failed) passed, \(failed) failed" + spent(results) + "\n" : out
    }

    /// ", $0.0123 spent on 4 live cases" when any case was live: the table's cost column summed.
    static func spent(_ results: [CaseResult]) -> String {
        let live = results.filter { $0.mode == .live || $0.mode == .record }
        guard !live.isEmpty else { return "" }
        let total = RunResult.sum(live.map(\.costUSD))
        return ", \(Money.text(total)) spent on \(live.count) live case\(live.count == 1 ? "" : "s")"
    }

    /// Each failing case with the place and message of each failure.
    static func failureList(_ results: [CaseResult]) -> String {
        var out = ""
        for result in results where !result.passed {
            out += "\n\(result.workflow):\(result.line): \(result.displayName)\n"
            if let error = result.providerError { out += "  provider error: \(error)\n" }
            for failure in result.failures { out += "  \(failure.file ?? result.workflow):\(failure.line): \(failure.message)\n" }
        }
        return out
    }

    /// The results for scripts (`flow test --json`).
    /// With `traces`, each case carries its last run's events (for `flow report`).
    public static func json(_ results: [CaseResult], rateLimits: RateStats? = nil, batches: BatchRun.Summary? = nil, traces: Bool = false) -> JSON {
        let failed = results.filter { !$0.passed }.count
        return .object(omittingNil: [
            ("passed", .int(results.count - failed)),
            ("failed", .int(failed)),
            ("rate_limits", rateLimits.map { stats in
                .object([("requests", .int(stats.requests)), ("rate_limited", .int(stats.limited)), ("waits", .int(stats.waits)),
                         ("waited_s", .double((stats.waitedSeconds * 1000).rounded() / 1000))])
            }),
            ("batch", batches.map(batchJSON)),
            ("cases", .array(results.map { result in
                .object(omittingNil: [
                    ("workflow", .string(result.workflow)), ("name", .string(result.name)), ("variant", result.variant.map(JSON.string)),
                    ("line", .int(result.line)),
                    ("passed", .bool(result.passed)), ("mode", .string(result.mode.rawValue)),
                    ("runs", .int(result.runs)), ("passed_runs", .int(result.passedRuns)), ("pass_rate", .double(result.passRate)),
                    ("failures", .array(result.failures.map { .object([("file", .string($0.file ?? result.workflow)), ("line", .int($0.line)),
                                                                      ("message", .string($0.message))]) })),
                    ("provider_error", result.providerError.map(JSON.string)),
                    ("seconds", .double((result.seconds * 1000).rounded() / 1000)),
                    ("cost_usd", result.costUSD.map(JSON.double) ?? .null), ("tokens", .int(result.tokens)),
                    ("answer_cost_usd", result.answerCostUSD.map(JSON.double) ?? .null),
                    ("workflow_sha256", result.workflowSHA256.map(JSON.string)),
                    ("checks", result.checks.isEmpty ? nil : .array(result.checks.map { .object([("line", .int($0.line)), ("text", .string($0.text))]) })),
                    ("trace", traces ? result.trace.map { .array($0.events) } : nil),
                ])
            })),
        ])
    }

    /// The cases of a `--json` report, to merge the reports of several shards. Throws naming
    /// what is missing when the JSON is not a `flow test --json` report.
    public static func cases(fromJSON json: JSON) throws -> [CaseResult] {
        guard let cases = json["cases"]?.array else { throw CassetteError(message: "not a 'flow test --json' report (no \"cases\")") }
        return try cases.enumerated().map { index, item in
            guard let workflow = item["workflow"]?.string, let name = item["name"]?.string, let runs = item["runs"]?.int,
                  let passedRuns = item["passed_runs"]?.int, let modeName = item["mode"]?.string, let mode = CaseMode(rawValue: modeName) else {
                throw CassetteError(message: "case \(index + 1) lacks workflow, name, runs, passed_runs or mode")
            }
            var result = CaseResult(workflow: workflow, name: name, line: item["line"]?.int ?? 0, runs: runs, passedRuns: passedRuns,
                                    passRate: item["pass_rate"]?.double ?? 1,
                                    failures: (item["failures"]?.array ?? []).map { ($0["file"]?.string, $0["line"]?.int ?? 0, $0["message"]?.string ?? "") },
                                    providerError: item["provider_error"]?.string, mode: mode, seconds: item["seconds"]?.double ?? 0,
                                    costUSD: item["cost_usd"]?.double, tokens: item["tokens"]?.int ?? 0)
            result.variant = item["variant"]?.string
            result.workflowSHA256 = item["workflow_sha256"]?.string
            result.checks = (item["checks"]?.array ?? []).map { ($0["line"]?.int ?? 0, $0["text"]?.string ?? "") }
            result.answerCostUSD = item["answer_cost_usd"].map { $0.double } ?? result.costUSD
            result.trace = item["trace"]?.array.map(CaseTrace.init(events:))
            return result
        }
    }

    /// One line on how the run met rate limits, or nil when nothing waited.
    public static func rateLine(_ stats: RateStats) -> String? {
        guard stats.waits > 0 || stats.limited > 0 else { return nil }
        return "rate limits: \(stats.waits) of \(counted(stats.requests, "request")) waited (\(String(format: "%.1f", stats.waitedSeconds)) s "
            + "in all), \(stats.limited) answered 429 and were sent again\n"
    }

    /// What the batches did, as the `batch` object of `--json` reports.
    public static func batchJSON(_ batch: BatchRun.Summary) -> JSON {
        .object([("rounds", .int(batch.rounds)), ("submitted", .int(batch.submitted)), ("resumed", .int(batch.resumed)),
                 ("answered", .int(batch.answered)), ("failed", .int(batch.failed)),
                 ("cost_usd", batch.costUSD.map(JSON.double) ?? .null), ("price_share", .double(BatchRun.priceShare))])
    }

    /// One line on what the batches did.
    public static func batchLine(_ batch: BatchRun.Summary) -> String {
        "batch: \(counted(batch.answered, "request")) answered in \(counted(batch.submitted, "batch", "batches")) submitted"
            + (batch.resumed > 0 ? " and \(batch.resumed) resumed" : "") + " over \(counted(batch.rounds, "round"))"
            + (batch.failed > 0 ? ", \(batch.failed) failed" : "")
            + ", \(batch.costUSD.map(Money.text) ?? "cost unknown") at the batch price (\(Int(BatchRun.priceShare * 100))% of list)\n"
    }

    /// JUnit XML (the schema in ../shared/conformance/junit): one testsuite per workflow.
    public static func junit(_ results: [CaseResult]) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
        var order: [String] = []
        for result in results where !order.contains(result.workflow) { order.append(result.workflow) }
        for workflow in order {
            let cases = results.filter { $0.workflow == workflow }
            let failures = cases.filter { !$0.passed && $0.providerError == nil }.count
            let errors = cases.filter { $0.providerError != nil }.count
            let time = cases.reduce(0) { $0 + $1.seconds }
            out += "  <testsuite name=\"\(escape(workflow))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"0\" time=\"\(seconds(time))\">\n"
            for result in cases {
                out += "    <testcase name=\"\(escape(result.displayName))\" classname=\"\(escape(workflow))\" time=\"\(seconds(result.seconds))\""
                if let error = result.providerError {
                    out += ">\n      <error message=\"\(escape(error))\" type=\"provider\"/>\n    </testcase>\n"
                } else if !result.passed {
                    let messages = result.failures.map { "\($0.file ?? workflow):\($0.line): \($0.message)" }.joined(separator: "\n")
                    out += ">\n      <failure message=\"\(escape(result.failures.first?.message ?? "failed"))\" type=\"expectation\">\(escape(messages))</failure>\n    </testcase>\n"
                } else {
                    out += "/>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    /// GitHub Actions workflow commands that mark each failing expectation's line in the YAML.
    public static func githubAnnotations(_ results: [CaseResult]) -> String {
        var out = ""
        for result in results where !result.passed {
            if let error = result.providerError {
                out += "::error file=\(property(result.workflow)),line=\(result.line),title=\(property(result.displayName))::\(data(error))\n"
            }
            for failure in result.failures {
                out += "::error file=\(property(failure.file ?? result.workflow)),line=\(failure.line),title=\(property(result.displayName))::\(data(failure.message))\n"
            }
        }
        return out
    }

    static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            default:
                // XML 1.0 has no place for most control characters.
                if scalar.value < 0x20, scalar != "\t" { out += "?" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// GitHub's escaping for a workflow command's message.
    static func data(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    /// GitHub's escaping for a workflow command's properties (file, title).
    static func property(_ text: String) -> String {
        data(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
