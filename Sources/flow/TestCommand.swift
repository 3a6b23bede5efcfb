import Foundation
import FlowCore
import FlowSource

/// `flow test [PATHS]`: every case of every workflow named, as regression checks. Each step
/// gives what the next needs or stops the command with its exit status, having said why.
enum TestCommand {
    typealias Stop = RunCommand.Stop

    /// The options of a test run, checked before any workflow is read.
    struct Settings {
        var json: Bool
        var jobs = 4
        var shard: (k: Int, n: Int)?
        var live: Bool
        var record: Bool
        var prune: Bool
        var retry: RetryPolicy
        /// Answer through the providers' Batch APIs (`--batch`).
        var batch = false
        /// The cases of `--baseline`'s report, to compare with.
        var baseline: [CaseResult]?
        /// Keep each case's transcript: for `--html`, and in `--json` with `--traces`.
        var traces = false
    }

    /// `--otlp`: every case's run is traced to the same collector.
    static let telemetry = Locked<Telemetry?>(nil)

    static func main(_ arguments: ParsedArguments) async -> Int32 {
        do throws(Stop) {
            let environment = ProcessEnvironment.current
            var settings = try parseSettings(arguments, environment: environment)
            if arguments.flags.contains("--merge") { return try merge(arguments, settings: settings, environment: environment) }
            let prices = try RunCommand.loadPrices(arguments)
            let files = try findWorkflows(arguments)
            var (planned, invalid) = try plan(files, filter: arguments.value("--filter"), shard: settings.shard,
                                              variants: arguments.values["--variant"] ?? [])
            switch TelemetryOption.make(arguments, command: Commands.test) {
            case .success(let made): telemetry.withLock { $0 = made }
            case .failure(let error):
                Terminal.report(error)
                throw Stop(status: ExitStatus.usage)
            }
            Interruption.installForTests()
            // One set of gates for the whole run: an endpoint's pace and breaker span workflows.
            var declared: [String: DeclaredLimits] = [:]
            for (loaded, _) in planned { declared.merge(loaded.config.rateLimits) { first, _ in first } }
            let gates = RateGates(ceiling: settings.jobs, declared: declared)
            let progress = TestProgress(terminal: isatty(2) == 1 && environment["CI"] == nil, quiet: settings.json, gates: gates)
            progress.expect(planned.reduce(0) { $0 + $1.cases.count })
            var batches: BatchRun.Summary?
            var recordLost = false
            let results = await run(&planned, settings: settings, gates: gates, arguments: arguments, environment: environment,
                                    prices: prices, progress: progress, invalid: &invalid, recordLost: &recordLost, batches: &batches)
            progress.finish()
            TelemetryOption.finish(telemetry.current)
            Interruption.parkIfInterrupted()
            if let baseline = arguments.value("--baseline"), baseline.hasPrefix("git:") {
                do throws(GitBaseline.Failure) {
                    settings.baseline = try await GitBaseline.results(ref: String(baseline.dropFirst(4)), files: files, jobs: settings.jobs,
                                                                      environment: environment, prices: prices, traces: settings.traces)
                } catch {
                    Terminal.err("error: \(error.message)\n")
                    return ExitStatus.noInput
                }
            }
            let status = report(results, files: files, invalid: invalid, settings: settings, rates: gates.stats, batches: batches,
                                arguments: arguments, environment: environment)
            // A suite whose cassette could not be written is not a success, whatever its cases did.
            return recordLost && status == ExitStatus.ok ? ExitStatus.ioError : status
        } catch {
            return error.status
        }
    }

    static func parseSettings(_ arguments: ParsedArguments, environment: [String: String]) throws(Stop) -> Settings {
        func usage(_ message: String) -> Stop { RunCommand.usage(message, command: Commands.test) }
        let live = arguments.flags.contains("--live") || environment["FLOW_CASSETTE"] == "live" || environment["FLOW_CASSETTE"] == "record"
        let record = arguments.flags.contains("--record") || environment["FLOW_CASSETTE"] == "record"
        let retry = try RunCommand.retryPolicy(arguments, command: Commands.test)
        var settings = Settings(json: arguments.flags.contains("--json"), live: live, record: record,
                                prune: arguments.flags.contains("--prune"), retry: retry)
        if let text = arguments.value("-j") {
            guard let value = Int(text), (1...256).contains(value) else { throw usage("-j takes a number from 1 to 256, got '\(text)'") }
            settings.jobs = value
        }
        if let text = arguments.value("--shard") {
            let parts = text.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 2, parts[1] >= 1, (1...parts[1]).contains(parts[0]) else {
                throw usage("--shard takes k/n with 1 ≤ k ≤ n, got '\(text)'")
            }
            settings.shard = (parts[0], parts[1])
        }
        settings.batch = arguments.flags.contains("--batch")
        settings.traces = arguments.flags.contains("--traces") || arguments.value("--html") != nil
        if settings.batch, live || settings.prune {
            throw usage("--batch sends the requests itself and records every answer: it takes neither --live, --record nor --prune")
        }
        if record, !live { throw usage("--record needs --live: recording sends requests") }
        if settings.prune, !record {
            throw usage("--prune needs --live --record: it drops the recordings a full recording run did not use")
        }
        if settings.prune, arguments.value("--filter") != nil || arguments.value("--shard") != nil || arguments.value("--variant") != nil {
            throw usage("--prune cannot be used with --filter, --shard or --variant: the cases left out would lose their recordings")
        }
        if let failOn = arguments.value("--fail-on") {
            guard failOn == "regression" else { throw usage("--fail-on takes 'regression', got '\(failOn)'") }
            guard arguments.value("--baseline") != nil else { throw usage("--fail-on regression needs --baseline: regressions are against a baseline") }
        }
        if let path = arguments.value("--baseline"), !path.hasPrefix("git:") {
            guard let baseline = ResultsFiles.read([path], hint: "--baseline takes a report written by 'flow test --json > FILE'") else {
                throw Stop(status: ExitStatus.noInput)
            }
            settings.baseline = baseline
        }
        return settings
    }

    /// The workflow files named, directories standing for the workflows below them.
    static func findWorkflows(_ arguments: ParsedArguments) throws(Stop) -> [String] {
        do {
            let found = try PathExpansion.workflows(arguments.positionals.isEmpty ? ["workflows"] : arguments.positionals)
            if arguments.flags.contains("--verbose") {
                for skipped in found.skipped { Terminal.err("skipped \(skipped): not a workflow (no top-level 'flow:' key)\n") }
            }
            return found.files
        } catch {
            Terminal.err("\(error)\n")
            throw Stop(status: ExitStatus.noInput)
        }
    }

    /// Each workflow (under each of its variants, or those `--variant` picks) with the cases
    /// this run takes (the filter, then this machine's shard); `invalid` when a file did not load.
    static func plan(_ files: [String], filter: String?, shard: (k: Int, n: Int)?, variants: [String] = []) throws(Stop)
        -> (planned: [(loaded: LoadedWorkflow, cases: [TestCase])], invalid: Bool) {
        var planned: [(loaded: LoadedWorkflow, cases: [TestCase])] = []
        var invalid = false
        for file in files {
            let loaded: LoadedWorkflow
            do {
                loaded = try WorkflowLoader.load(path: file)
            } catch {
                Terminal.err(error.description + "\n")
                invalid = true
                continue
            }
            var cases = loaded.workflow.tests
            if let filter { cases = cases.filter { $0.name.lowercased().contains(filter.lowercased()) } }
            // --variant names a variant of some workflow; a workflow with none of them runs as written.
            let chosen = loaded.workflow.variants.filter { variants.isEmpty || variants.contains($0.name) }
            if chosen.isEmpty { planned.append((loaded, cases)) }
            for variant in chosen { planned.append((loaded.applying(variant), cases)) }
        }
        let declared = Set(planned.compactMap(\.loaded.variant))
        let allVariants = planned.flatMap { $0.loaded.workflow.variants.map(\.name) }
        for name in variants where !declared.contains(name) {
            let hint = Suggestion.hint(for: name, in: allVariants) ?? (allVariants.isEmpty ? "no workflow declares variants" : "variants: " + allVariants.joined(separator: ", "))
            Terminal.report(UsageError(message: "--variant \(name): no workflow here has that variant (\(hint))", command: Commands.test))
            throw Stop(status: ExitStatus.usage)
        }
        // Shards split the whole list in declared order, so every machine agrees on its part.
        var index = 0
        planned = planned.map { loaded, cases in
            (loaded, cases.filter { _ in
                defer { index += 1 }
                guard let shard else { return true }
                return index % shard.n == shard.k - 1
            })
        }
        return (planned, invalid)
    }

    /// Runs every planned case, a workflow (or a variant of one) at a time, each workflow on its
    /// own cassette; the variants of a workflow share it, so it is finished (and pruned) once all ran.
    static func run(_ planned: inout [(loaded: LoadedWorkflow, cases: [TestCase])], settings: Settings, gates: RateGates, arguments: ParsedArguments,
                    environment: [String: String], prices: PriceTable, progress: TestProgress, invalid: inout Bool,
                    recordLost: inout Bool, batches: inout BatchRun.Summary?) async -> [CaseResult] {
        var results: [CaseResult] = []
        var stores: [(path: String, store: CassetteStore)] = []
        // A live suite's case transcripts, one folder per run beside flow run's transcripts.
        let runs = RunsDirectory.path(from: FileBytes.currentDirectory())
        let liveTranscripts = TranscriptWriter.newFolder(in: runs, name: "test")
        if settings.live, let warning = RunsDirectory.ignoreInGit(runs: runs) { Terminal.err(warning + "\n") }
        defer {
            if settings.live, FileBytes.kind(liveTranscripts) != nil {
                Terminal.err("transcripts: \(RunsDirectory.display(liveTranscripts))/ (flow cost counts them; flow show PATH opens one)\n")
            }
        }
        var failedPaths: Set<String> = []
        for (loaded, cases) in planned where !cases.isEmpty {
            let base = loaded.source.path.hasSuffix(".yaml") ? String(loaded.source.path.dropLast(5)) : loaded.source.path
            let cassettePath = base + ".cassette.json"
            if failedPaths.contains(cassettePath) { continue }
            var store = stores.first { $0.path == cassettePath }?.store
            if store == nil, settings.batch || (settings.live ? settings.record : CassetteStore.exists(cassettePath)) {
                do {
                    let opened = try CassetteStore.open(cassettePath)
                    stores.append((cassettePath, opened))
                    store = opened
                    // Answers recorded so far reach the cassette file even when the run is interrupted.
                    if settings.record || settings.batch { Interruption.beforeExit { try? opened.finish() } }
                } catch {
                    Terminal.err("\(error)\n")
                    invalid = true
                    failedPaths.insert(cassettePath)
                    continue
                }
            }
            var runner = TestRunner(loaded: loaded, environment: environment, transport: URLSessionTransport(), prices: prices,
                                    mode: settings.live ? .live : .replay, record: settings.record,
                                    cassette: store ?? CassetteStore(path: cassettePath), jobs: settings.jobs)
            runner.liveTools = arguments.flags.contains("--live-tools")
            runner.retry = settings.retry
            runner.gates = gates
            runner.keepTraces = settings.traces
            runner.telemetry = telemetry.current
            if settings.live { runner.transcripts = liveTranscripts }
            if settings.batch {
                let (batched, summary) = await batchRun(runner, environment: environment, loaded: loaded).run(cases)
                batched.forEach(progress.finished)
                results += batched
                batches = batches.map { $0 + summary } ?? summary
            } else {
                results += await runner.run(cases) { progress.finished($0) }
            }
        }
        for (_, store) in stores {
            if settings.record || settings.batch {
                do {
                    try store.finish()
                } catch {
                    Terminal.err("error: \(error.message)\n")
                    recordLost = true
                }
            }
            if settings.prune {
                do {
                    let dropped = try store.prune()
                    if dropped > 0 { Terminal.err("\(store.path): dropped \(counted(dropped, "recording")) no case used\n") }
                } catch {
                    Terminal.err("error: \(error.message)\n")
                    recordLost = true
                }
            }
        }
        return results
    }

    /// `--merge REPORTS…`: the `--json` reports of several shards as one run: one summary (or
    /// JSON), one JUnit file, one exit status. Nothing is run.
    static func merge(_ arguments: ParsedArguments, settings: Settings, environment: [String: String]) throws(Stop) -> Int32 {
        guard let results = ResultsFiles.read(arguments.positionals, hint: "--merge takes the files written by 'flow test --json > FILE'") else {
            throw Stop(status: ExitStatus.noInput)
        }
        return report(results, files: arguments.positionals, invalid: false, settings: settings, rates: RateStats(), arguments: arguments,
                      environment: environment)
    }

    /// The batch run of one workflow's cases: its cassette, the providers' batch clients, the
    /// project's ledger, progress on standard error.
    static func batchRun(_ runner: TestRunner, environment: [String: String], loaded: LoadedWorkflow) -> BatchRun {
        let registry = ProviderRegistry(environment: environment, transport: URLSessionTransport(), mockReplies: [],
                                        compatible: loaded.config.providers, keyFiles: loaded.config.keyFiles)
        let poll = environment["FLOW_BATCH_POLL_SECONDS"].flatMap(Double.init).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil } ?? 30
        return BatchRun(runner: runner, registry: registry, ledger: BatchCommand.ledger(), pollSeconds: poll) { line in
            Terminal.err(line + "\n")
        }
    }

    /// The summary or JSON, JUnit and annotations; the exit status.
    static func report(_ results: [CaseResult], files: [String], invalid: Bool, settings: Settings, rates: RateStats,
                       batches: BatchRun.Summary? = nil, arguments: ParsedArguments, environment: [String: String]) -> Int32 {
        // Zero cases is not a pass: a wrong path or a --filter that matches nothing checks nothing.
        if results.isEmpty, !invalid, !arguments.flags.contains("--allow-empty") {
            let filtered = arguments.value("--filter").map { " matching '\($0)'" } ?? ""
            Terminal.err("error: no test cases\(filtered) in \(counted(files.count, "workflow file")); nothing was checked\n"
                         + "hint: add 'tests:' to a workflow, check the paths and --filter, or pass --allow-empty\n")
            return ExitStatus.failed
        }
        let comparison = settings.baseline.map { BaselineComparison(baseline: $0, current: results) }
        var report = TestReports.json(results, rateLimits: rates, batches: batches, traces: settings.traces)
        if let comparison { report = report.adding([("baseline", comparison.json)]) }
        Terminal.out(settings.json ? report.pretty + "\n" : TestReports.summary(results) + (comparison?.text ?? ""))
        if !settings.json, let line = TestReports.rateLine(rates) { Terminal.err(line) }
        // Standard error, so it is said with --json too (where the same counts are under "batch").
        if let batches { Terminal.err(TestReports.batchLine(batches)) }
        if let path = arguments.value("--junit") {
            do {
                try Redaction.text(TestReports.junit(results)).write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                Terminal.err("error: cannot write '\(path)': \(error.localizedDescription)\n")
                return ExitStatus.software
            }
        }
        if let path = arguments.value("--markdown") {
            let markdown = MarkdownReport.render(results, comparison: comparison, artifact: environment["FLOW_REPORT_URL"])
            do {
                try Redaction.text(markdown).write(toFile: path, atomically: false, encoding: .utf8)
            } catch {
                Terminal.err("error: cannot write '\(path)': \(error.localizedDescription)\n")
                return ExitStatus.software
            }
        }
        if let path = arguments.value("--html") {
            let header = ReportData.header(for: results, title: "flow test: " + (files.count <= 2 ? files.joined(separator: ", ") : "\(files.count) workflows"),
                                           commit: ReportCommand.commit(), date: ReportData.now())
            let page = HTMLReport.page(ReportData.json(results, comparison: comparison, baseline: settings.baseline, header: header), title: header.title)
            do {
                try page.write(toFile: path, atomically: false, encoding: .utf8)
            } catch {
                Terminal.err("error: cannot write '\(path)': \(error.localizedDescription)\n")
                return ExitStatus.software
            }
        }
        if environment["GITHUB_ACTIONS"] == "true" { Terminal.out(TestReports.githubAnnotations(results)) }
        if invalid { return ExitStatus.invalid }
        if results.contains(where: { $0.providerError != nil }) { return ExitStatus.unavailable }
        // The gate CI keeps on a pull request: no worse than the baseline, whatever failed there too.
        if arguments.value("--fail-on") == "regression", let comparison { return comparison.regressions.isEmpty ? ExitStatus.ok : ExitStatus.failed }
        return results.allSatisfy(\.passed) ? ExitStatus.ok : ExitStatus.failed
    }
}

/// A progress line on a terminal (done/total, failures, money spent); a plain line per case
/// otherwise. Workers report from many tasks, so its counts live in one `Locked` value.
final class TestProgress: Sendable {
    private struct Counts {
        var total = 0
        var done = 0
        var failed = 0
        var cost = 0.0
    }

    private let counts = Locked(Counts())
    private let terminal: Bool
    private let quiet: Bool
    private let gates: RateGates?

    init(terminal: Bool, quiet: Bool, gates: RateGates? = nil) {
        self.terminal = terminal
        self.quiet = quiet
        self.gates = gates
    }

    /// The number of cases the run will report, once the workflows are planned.
    func expect(_ total: Int) { counts.withLock { $0.total = total } }

    func finished(_ result: CaseResult) {
        // The line is printed under the lock, so lines from two workers never interleave.
        counts.withLock { counts in
            counts.done += 1
            if !result.passed { counts.failed += 1 }
            counts.cost += result.costUSD ?? 0
            guard !quiet else { return }
            if terminal {
                Terminal.err("\r\(counts.done)/\(counts.total) done, \(counts.failed) failed, \(Money.text(counts.cost)) spent\(waiting)   ")
            } else {
                Terminal.err("\(result.passed ? "ok  " : result.providerError != nil ? "ERR " : "FAIL") \(result.displayName)\n")
            }
        }
    }

    /// ", 12 waiting on rate limits" while requests are held, so a slow run says why.
    private var waiting: String {
        guard let holding = gates?.stats.holding, holding > 0 else { return "" }
        return ", \(holding) waiting on rate limits"
    }

    func finish() {
        if terminal, !quiet { Terminal.err("\n") }
    }
}
