import Foundation
import FlowSource
import FlowTemplate

/// How `flow test` answers requests.
public enum TestMode: String, Sendable {
    /// Replay from the cassette when the workflow has one (the default, and what CI uses).
    case replay
    /// Send requests (`--live`, for scheduled runs); `--record` saves them too.
    case live
}

/// How one case was answered, as the summary and reports name it.
public enum CaseMode: String, Sendable {
    /// Scripted replies: the case's `mock:`, or a workflow whose models are all mock.
    case mock
    case replay
    case live
    case record
    /// Answered through a provider's Batch API (`--batch`), then replayed.
    case batch
}

/// The outcome of one case over its repeats.
public struct CaseResult: Sendable {
    /// The workflow file the case is in.
    public var workflow: String
    /// The case's name (a dataset row's `name`, or the entry's name and row number).
    public var name: String
    /// The line of the case (or dataset entry) in the workflow.
    public var line: Int
    /// How many times the case ran (`repeat`).
    public var runs: Int
    /// How many of those runs met every expectation.
    public var passedRuns: Int
    /// The share of runs that must pass (`pass_rate`, 1 by default).
    public var passRate: Double
    /// Failure messages of the last failing run, each with the place of the expectation it
    /// comes from (`file` is nil for the workflow itself).
    public var failures: [(file: String?, line: Int, message: String)]
    /// A provider error no retry fixed (exit 69).
    public var providerError: String?
    /// How the case was answered.
    public var mode: CaseMode
    /// Wall time of all its runs.
    public var seconds: Double
    /// Money spent ($0 replayed or scripted); nil when a live model had no price.
    public var costUSD: Double?
    /// Input and output tokens over all its runs.
    public var tokens: Int
    /// What its answers cost at list price over all its runs, sent or replayed (a replay at the
    /// price it was recorded at), so variants compare on cost offline too; nil when unpriced.
    public var answerCostUSD: Double? = 0
    /// The workflow's output in the last run, for `flow run --batch --dataset`.
    public var output: String? = nil
    /// Each expectation of the case, by its line and as it reads, for the report to list every
    /// check (a failure names the line of the check it comes from).
    public var checks: [(line: Int, text: String)] = []
    /// The sha256 of the workflow file the case ran from, for the report's header.
    public var workflowSHA256: String? = nil
    /// The variant the case ran under (`variants:`); nil for the workflow as written.
    public var variant: String? = nil
    /// What the last run did, step by step, for the HTML report (`flow test --html`).
    public var trace: CaseTrace? = nil

    /// The case's name with its variant, as reports and baselines tell cells apart: `refund [claude]`.
    public var displayName: String { variant.map { "\(name) [\($0)]" } ?? name }

    /// What finds the same case in another run: its workflow and display name (lines move when a
    /// file is edited).
    public var baselineKey: String { Self.baselineKey(workflow: workflow, displayName: displayName) }

    /// The key of the case named `displayName` in `workflow`.
    public static func baselineKey(workflow: String, displayName: String) -> String { workflow + " · " + displayName }

    /// Whether enough runs passed and no provider error stopped the case.
    public var passed: Bool { providerError == nil && Double(passedRuns) >= passRate * Double(runs) - 1e-9 }
}

/// Runs a workflow's test cases, several at a time, each on its own interpreter.
public struct TestRunner: Sendable {
    /// The workflow whose cases run.
    public var loaded: LoadedWorkflow
    /// Where keys and base URLs come from.
    public var environment: [String: String]
    /// The HTTP transport for live cases.
    public var transport: any HTTPTransport
    /// Prices for cost figures and `cost_usd` expectations.
    public var prices: PriceTable
    /// Replay (the default) or live.
    public var mode: TestMode
    /// With live: save the answers in the cassette.
    public var record: Bool
    /// The workflow's cassette (an empty one when nothing is recorded yet).
    public var cassette: CassetteStore?
    /// Cases run at once.
    public var jobs: Int
    /// The pace and circuit breaker of each endpoint, shared by every worker (and workflow) of a run.
    public var gates = RateGates()
    /// Spans of each case's run go here (`--otlp`), when set.
    public var telemetry: Telemetry? = nil
    /// Retries of failed requests.
    public var retry = RetryPolicy.default
    /// Run tools for real when replaying (`--live-tools`); a result unlike the recording fails the case.
    public var liveTools = false
    /// In a round of a batch run: replay, giving every miss to this collector.
    public var batch: BatchCollector?
    /// Keep each case's last run as a trace, for the HTML report.
    public var keepTraces = false
    /// Where each live case's transcript goes (`.flow/runs/<time>-test/`), so `flow cost`
    /// counts what a live suite spent and `flow show` opens a case's run; nil keeps none.
    public var transcripts: String? = nil

    /// A runner for `loaded`'s cases.
    public init(loaded: LoadedWorkflow, environment: [String: String], transport: any HTTPTransport, prices: PriceTable,
                mode: TestMode, record: Bool, cassette: CassetteStore?, jobs: Int) {
        self.loaded = loaded
        self.environment = environment
        self.transport = transport
        self.prices = prices
        self.mode = mode
        self.record = record
        self.cassette = cassette
        self.jobs = jobs
    }

    /// Runs `cases` with at most `jobs` at once; `progress` hears of each case as it finishes.
    /// Results come back in the order of `cases`.
    public func run(_ cases: [TestCase], progress: @escaping @Sendable (CaseResult) -> Void) async -> [CaseResult] {
        await withTaskGroup(of: (Int, CaseResult).self) { group in
            var results = [CaseResult?](repeating: nil, count: cases.count)
            var next = 0
            func add() {
                guard next < cases.count else { return }
                let index = next, testCase = cases[index]
                next += 1
                group.addTask { (index, await self.run(testCase)) }
            }
            for _ in 0..<max(1, jobs) { add() }
            while let (index, result) = await group.next() {
                results[index] = result
                progress(result)
                add()
            }
            return results.compactMap { $0 }
        }
    }

    func run(_ testCase: TestCase) async -> CaseResult {
        let started = ContinuousClock.now
        var result = CaseResult(workflow: loaded.source.path, name: testCase.name, line: testCase.mark.line, runs: testCase.repeatCount,
                                passedRuns: 0, passRate: testCase.passRate, failures: [], providerError: nil, mode: .replay, seconds: 0,
                                costUSD: 0, tokens: 0)
        result.variant = loaded.variant
        result.workflowSHA256 = loaded.sha256
        let cassetteUse: CassetteUse?
        switch answering(testCase) {
        case .success(let (mode, use)):
            result.mode = mode
            cassetteUse = use
        case .failure(let problem):
            result.failures = [(nil, testCase.mark.line, problem.message)]
            return result
        }
        let inputs: [String: TemplateValue]
        switch self.inputs(for: testCase) {
        case .success(let resolved): inputs = resolved
        case .failure(let problem):
            result.failures = [(nil, testCase.mark.line, problem.message)]
            return result
        }
        // Each check as this case reads it (`contains "{{expected}}"` with the row's value in),
        // rendered once for all its repeats.
        let values = inputs.merging(testCase.vars) { input, _ in input }
        let expectations = testCase.expectations.map { ($0, $0.instantiated(with: values)) }
        result.checks = expectations.map { written, ready in (written.mark.line, ((try? ready.get()) ?? written).summary) }
        for _ in 0..<testCase.repeatCount {
            let (run, failures, judged, trace) = await attempt(testCase, expectations, mode: result.mode, cassette: cassetteUse,
                                                                inputs: inputs)
            result.tokens += run.totals.inputTokens + run.totals.outputTokens + judged.totals.inputTokens + judged.totals.outputTokens
            result.output = run.output
            result.trace = trace
            result.answerCostUSD = RunResult.sum([result.answerCostUSD, run.answerCostUSD, judged.answerCostUSD])
            // The judges' calls are the case's too: their cost counts in the case's cost.
            if let total = result.costUSD, let cost = run.costUSD, let judging = judged.costUSD {
                result.costUSD = total + cost + judging
            } else {
                result.costUSD = nil
            }
            if let error = run.error, error.kind == .provider {
                result.providerError = error.message
                break
            }
            if failures.isEmpty { result.passedRuns += 1 } else { result.failures = failures }
        }
        let elapsed = ContinuousClock.now - started
        result.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return result
    }

    /// Why a case could not start, said as its failure.
    struct CaseProblem: Error {
        var message: String
    }

    /// How the case is answered: its own mock replies, a workflow that is all mock (offline
    /// already), the cassette, or live (recording when asked). A case with nothing to replay
    /// fails; it never goes live by itself.
    func answering(_ testCase: TestCase) -> Result<(CaseMode, CassetteUse?), CaseProblem> {
        let recordCommand = "flow test \(loaded.source.path) --live --record" + (loaded.variant.map { " --variant \($0)" } ?? "")
        if testCase.mock != nil { return .success((.mock, nil)) }
        let onlyMock = loaded.answersOnlyFromMock
        let recorded = cassette.map { CassetteStore.exists($0.path) } ?? false
        if onlyMock, !recorded { return .success((.mock, nil)) }
        // A batch round replays, giving each miss to the collector (a mock workflow stays mock).
        if let batch, let cassette, !onlyMock {
            var use = CassetteUse(store: cassette, mode: .replay, recordCommand: recordCommand, variant: loaded.variant)
            use.batch = batch
            use.caseName = testCase.name
            return .success((.replay, use))
        }
        switch mode {
        case .replay:
            guard let cassette, recorded else {
                return .failure(CaseProblem(message: "no recording to replay: record the cassette with '\(recordCommand)', or give the case mock replies"))
            }
            var use = CassetteUse(store: cassette, mode: .replay, recordCommand: recordCommand, variant: loaded.variant)
            use.caseName = testCase.name
            return .success((.replay, use))
        case .live:
            guard record, let cassette else { return .success((.live, nil)) }
            var use = CassetteUse(store: cassette, mode: .record, recordCommand: recordCommand, variant: loaded.variant)
            use.caseName = testCase.name
            return .success((.record, use))
        }
    }

    /// The case's values for the workflow's variables over their defaults; every required one set.
    func inputs(for testCase: TestCase) -> Result<[String: TemplateValue], CaseProblem> {
        var inputs = [String: TemplateValue]()
        for variable in loaded.workflow.vars {
            if let value = testCase.vars[variable.name] ?? variable.defaultValue { inputs[variable.name] = value }
        }
        let missing = loaded.workflow.vars.filter { inputs[$0.name] == nil }.map(\.name)
        guard missing.isEmpty else {
            return .failure(CaseProblem(message: "the case does not set the required variable\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))"))
        }
        return .success(inputs)
    }

    /// The providers of one attempt: each repeat gets fresh scripted replies.
    func registry(for testCase: TestCase, mode: CaseMode) -> ProviderRegistry {
        if let replies = testCase.mock {
            var registry = ProviderRegistry(environment: environment, transport: transport, mockReplies: replies)
            registry.forceMock = true
            return registry
        }
        if mode == .mock { return ProviderRegistry(environment: environment, transport: transport, mockReplies: loaded.workflow.mock) }
        var registry = ProviderRegistry(environment: environment, transport: transport, mockReplies: [],
                                        compatible: loaded.config.providers, keyFiles: loaded.config.keyFiles, retry: retry)
        registry.gates = gates
        return registry
    }

    /// One run of the case and what failed in it: the run itself, a tool that drifted from its
    /// recording, each expectation (as written, and rendered over the case's variables); the
    /// judges' calls, and the run's trace when traces are kept.
    func attempt(_ testCase: TestCase, _ expectations: [(Expectation, Result<Expectation, ExpectationTemplateError>)], mode: CaseMode,
                 cassette: CassetteUse?, inputs: [String: TemplateValue])
        async -> (RunResult, [(file: String?, line: Int, message: String)], RunResult, CaseTrace?) {
        let drifts = Locked<[String]>([])
        let directory = PathText.directory(of: loaded.source.path)
        // A case's MCP servers start when it first needs them (never on replay) and stop with it.
        let servers = MCPServers(baseDirectory: directory.isEmpty ? "." : directory)
        defer { Task { await servers.stopAll() } }
        let processTools = MCPToolRunner(inner: ProcessToolRunner(baseDirectory: directory.isEmpty ? "." : directory), servers: servers,
                                         declared: loaded.workflow.mcp)
        let tools = cassette?.tools(processTools, live: liveTools) { drift in drifts.withLock { $0.append(drift) } } ?? processTools
        let memory = keepTraces ? MemoryTranscript() : nil
        var sinks: [any TranscriptSink] = memory.map { [$0] } ?? []
        if let transcripts, mode == .live || mode == .record,
           let writer = try? TranscriptWriter.new(in: transcripts, name: testCase.name + (loaded.variant.map { "-" + $0 } ?? "")) {
            sinks.append(writer)
        }
        if let telemetry { sinks.append(telemetry.recorder(mode: mode.rawValue)) }
        let providers = registry(for: testCase, mode: mode)
        var interpreter = Interpreter(providers: providers, transcript: sinks.isEmpty ? NullTranscript() : TeeTranscript(sinks),
                                      input: ScriptedInput(testCase.inputs), tools: tools, prices: prices)
        interpreter.cassette = cassette
        let run = await interpreter.run(loaded, inputs: inputs)
        var judged = RunResult(status: .succeeded, output: nil, steps: [], error: nil)
        var failures: [(file: String?, line: Int, message: String)] = []
        if let error = run.error, error.kind != .provider {
            failures.append((nil, testCase.mark.line, "the run failed: " + error.message))
        }
        failures += drifts.current.map { (nil, testCase.mark.line, $0) }
        // A replay miss is one failure (with any tool drift that explains it): the checks would
        // only repeat that there is no answer.
        if run.error?.kind == .cassetteMiss { return (run, failures, judged, memory?.trace) }
        for (expectation, instantiated) in expectations {
            switch instantiated {
            case .success(let ready):
                if case .judge(let spec) = ready.kind {
                    let (message, judgeRun) = await judge(spec, ready, run: run, providers: providers, cassette: cassette, transcript: memory)
                    judged.steps += judgeRun?.steps ?? []
                    if let message { failures.append((ready.file, ready.mark.line, message)) }
                } else if let message = Expectations.check(ready, result: run) {
                    failures.append((ready.file, ready.mark.line, message))
                }
            case .failure(let error):
                failures.append((expectation.file, expectation.mark.line, error.message))
            }
        }
        return (run, failures, judged, memory?.trace)
    }
}

/// A transcript that keeps nothing: test cases are judged on their results.
public struct NullTranscript: TranscriptSink {
    /// A sink that drops every event.
    public init() {}
    /// Drops the event.
    public func record(_ type: EventType, _ fields: [(String, JSON)]) {}
    /// False: callers skip building events nobody keeps.
    public var isRecording: Bool { false }
}
