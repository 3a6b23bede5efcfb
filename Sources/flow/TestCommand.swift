import Foundation
import FlowCore

/// `flow test [PATHS]`: every case of every workflow named, as regression checks.
enum TestCommand {
    static func main(_ arguments: ParsedArguments) async -> Int32 {
        let environment = ProcessInfo.processInfo.environment
        let json = arguments.flags.contains("--json")
        var jobs = 4
        if let text = arguments.value("-j") {
            guard let value = Int(text), (1...256).contains(value) else {
                Terminal.report(UsageError(message: "-j takes a number from 1 to 256, got '\(text)'", command: Commands.test))
                return ExitCode.usage
            }
            jobs = value
        }
        var shard: (Int, Int)?
        if let text = arguments.value("--shard") {
            let parts = text.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 2, parts[1] >= 1, (1...parts[1]).contains(parts[0]) else {
                Terminal.report(UsageError(message: "--shard takes k/n with 1 ≤ k ≤ n, got '\(text)'", command: Commands.test))
                return ExitCode.usage
            }
            shard = (parts[0], parts[1])
        }
        let live = arguments.flags.contains("--live") || environment["FLOW_CASSETTE"] == "live" || environment["FLOW_CASSETTE"] == "record"
        let record = arguments.flags.contains("--record") || environment["FLOW_CASSETTE"] == "record"
        if record, !live {
            Terminal.report(UsageError(message: "--record needs --live: recording sends requests", command: Commands.test))
            return ExitCode.usage
        }
        let prune = arguments.flags.contains("--prune")
        if prune, !record {
            Terminal.report(UsageError(message: "--prune needs --live --record: it drops the recordings a full recording run did not use",
                                       command: Commands.test))
            return ExitCode.usage
        }
        if prune, arguments.value("--filter") != nil || arguments.value("--shard") != nil {
            Terminal.report(UsageError(message: "--prune cannot be used with --filter or --shard: the cases left out would lose their recordings",
                                       command: Commands.test))
            return ExitCode.usage
        }
        let retry: RetryPolicy
        switch RunCommand.retryPolicy(command: Commands.test) {
        case .success(let policy): retry = policy
        case .failure(let error):
            Terminal.report(error)
            return ExitCode.usage
        }
        let prices: PriceTable
        do {
            prices = try PriceTable.load(file: arguments.value("--prices") ?? environment["FLOW_PRICES"])
        } catch {
            Terminal.err("error: \(error)\n")
            return ExitCode.noInput
        }

        let files: [String]
        do {
            let found = try PathExpansion.workflows(arguments.positionals.isEmpty ? ["workflows"] : arguments.positionals)
            files = found.files
            if arguments.flags.contains("--verbose") {
                for skipped in found.skipped { Terminal.err("skipped \(skipped): not a workflow (no top-level 'flow:' key)\n") }
            }
        } catch {
            Terminal.err("\(error)\n")
            return ExitCode.noInput
        }
        var results: [CaseResult] = []
        var invalid = false
        // One gate for the whole run: rate-limit pauses and the circuit breaker span workflows.
        let gate = RateGate()
        let progress = TestProgress(terminal: isatty(2) == 1 && environment["CI"] == nil, quiet: json)
        var planned: [(LoadedWorkflow, [TestCase])] = []
        for file in files {
            do {
                let loaded = try WorkflowLoader.load(path: file)
                var cases = loaded.workflow.tests
                if let filter = arguments.value("--filter") { cases = cases.filter { $0.name.lowercased().contains(filter.lowercased()) } }
                planned.append((loaded, cases))
            } catch {
                Terminal.err(error.description + "\n")
                invalid = true
            }
        }
        // Shards split the whole list in declared order, so every machine agrees on its part.
        var index = 0
        planned = planned.map { loaded, cases in
            (loaded, cases.filter { _ in
                defer { index += 1 }
                guard let (k, n) = shard else { return true }
                return index % n == k - 1
            })
        }
        progress.expect(planned.reduce(0) { $0 + $1.1.count })
        for (loaded, cases) in planned where !cases.isEmpty {
            let base = loaded.source.path.hasSuffix(".yaml") ? String(loaded.source.path.dropLast(5)) : loaded.source.path
            let cassettePath = base + ".cassette.json"
            var store: CassetteStore?
            if live ? record : FileManager.default.fileExists(atPath: cassettePath) {
                do {
                    store = try CassetteStore.open(cassettePath)
                } catch {
                    Terminal.err("\(error)\n")
                    invalid = true
                    continue
                }
            }
            var runner = TestRunner(loaded: loaded, environment: environment, transport: URLSessionTransport(), prices: prices,
                                    mode: live ? .live : .replay, record: record, cassette: store ?? CassetteStore(path: cassettePath),
                                    jobs: jobs)
            runner.liveTools = arguments.flags.contains("--live-tools")
            runner.retry = retry
            runner.gate = gate
            results += await runner.run(cases) { progress.finished($0) }
            if prune, let store {
                do {
                    let dropped = try store.prune()
                    if dropped > 0 { Terminal.err("\(store.path): dropped \(counted(dropped, "recording")) no case used\n") }
                } catch {
                    Terminal.err("error: \(error.message)\n")
                    invalid = true
                }
            }
        }
        progress.finish()
        // Zero cases is not a pass: a wrong path or a --filter that matches nothing checks nothing.
        if results.isEmpty, !invalid, !arguments.flags.contains("--allow-empty") {
            let filtered = arguments.value("--filter").map { " matching '\($0)'" } ?? ""
            Terminal.err("error: no test cases\(filtered) in \(counted(files.count, "workflow file")); nothing was checked\n"
                         + "hint: add 'tests:' to a workflow, check the paths and --filter, or pass --allow-empty\n")
            return ExitCode.failed
        }

        if json {
            Terminal.out(TestReports.json(results).pretty + "\n")
        } else {
            Terminal.out(TestReports.summary(results))
        }
        if let path = arguments.value("--junit") {
            do {
                try Redaction.text(TestReports.junit(results)).write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                Terminal.err("error: cannot write '\(path)': \(error.localizedDescription)\n")
                return ExitCode.software
            }
        }
        if environment["GITHUB_ACTIONS"] == "true" { Terminal.out(TestReports.githubAnnotations(results)) }
        if invalid { return ExitCode.invalid }
        if results.contains(where: { $0.providerError != nil }) { return ExitCode.unavailable }
        return results.allSatisfy(\.passed) ? ExitCode.ok : ExitCode.failed
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

    init(terminal: Bool, quiet: Bool) {
        self.terminal = terminal
        self.quiet = quiet
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
                Terminal.err("\r\(counts.done)/\(counts.total) done, \(counts.failed) failed, \(Money.text(counts.cost)) spent   ")
            } else {
                Terminal.err("\(result.passed ? "ok  " : result.providerError != nil ? "ERR " : "FAIL") \(result.name)\n")
            }
        }
    }

    func finish() {
        if terminal, !quiet { Terminal.err("\n") }
    }
}
