import Foundation
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
}

/// The outcome of one case over its repeats.
public struct CaseResult: Sendable {
    public var workflow: String
    public var name: String
    public var line: Int
    public var runs: Int
    public var passedRuns: Int
    public var passRate: Double
    /// Failure messages of the last failing run, each with the place of the expectation it
    /// comes from (`file` is nil for the workflow itself).
    public var failures: [(file: String?, line: Int, message: String)]
    /// A provider error no retry fixed (exit 69).
    public var providerError: String?
    public var mode: CaseMode
    public var seconds: Double
    public var costUSD: Double?
    public var tokens: Int

    public var passed: Bool { providerError == nil && Double(passedRuns) >= passRate * Double(runs) - 1e-9 }
}

/// Runs a workflow's test cases, several at a time, each on its own interpreter.
public struct TestRunner: Sendable {
    public var loaded: LoadedWorkflow
    public var environment: [String: String]
    public var transport: any HTTPTransport
    public var prices: PriceTable
    public var mode: TestMode
    public var record: Bool
    public var cassette: CassetteStore?
    public var jobs: Int
    public var gate = RateGate()
    public var retry = RetryPolicy.default
    /// Run tools for real when replaying (`--live-tools`); a result unlike the recording fails the case.
    public var liveTools = false

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
        var registry = ProviderRegistry(environment: environment, transport: transport, mockReplies: testCase.mock ?? [],
                                        compatible: loaded.config.providers, keyFiles: loaded.config.keyFiles, retry: retry)
        registry.gate = gate
        let onlyMock = loaded.workflow.steps.allSatisfy { ($0.model ?? loaded.workflow.model)?.provider == "mock" }
            && loaded.workflow.steps.allSatisfy { step in
                step.branches.values.joined().allSatisfy { if case .retry(let spec) = $0.action { return spec.model?.provider ?? "mock" == "mock" }; return true }
            }
        var cassetteUse: CassetteUse?
        if testCase.mock != nil {
            registry.forceMock = true
            result.mode = .mock
        } else if onlyMock && !(cassette.map { FileManager.default.fileExists(atPath: $0.path) } ?? false) {
            // A workflow on scripted replies needs no recording: it is offline already.
            registry = ProviderRegistry(environment: environment, transport: transport, mockReplies: loaded.workflow.mock)
            result.mode = .mock
        } else if mode == .replay {
            guard let cassette, FileManager.default.fileExists(atPath: cassette.path) else {
                // Never silently live: a case with nothing to replay fails and says how to record.
                result.failures = [(nil, testCase.mark.line, "no recording to replay: record the cassette with 'flow test \(loaded.source.path) --live --record', or give the case mock replies")]
                result.mode = .replay
                return result
            }
            cassetteUse = CassetteUse(store: cassette, mode: .replay, recordCommand: "flow test \(loaded.source.path) --live --record")
            result.mode = .replay
        } else {
            if record, let cassette {
                cassetteUse = CassetteUse(store: cassette, mode: .record, recordCommand: "flow test \(loaded.source.path) --live --record")
            }
            result.mode = record ? .record : .live
        }
        var inputs = [String: TemplateValue]()
        for variable in loaded.workflow.vars {
            if let value = testCase.vars[variable.name] ?? variable.defaultValue { inputs[variable.name] = value }
        }
        let missing = loaded.workflow.vars.filter { inputs[$0.name] == nil }.map(\.name)
        if !missing.isEmpty {
            result.failures = [(nil, testCase.mark.line, "the case does not set the required variable\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))")]
            return result
        }
        for _ in 0..<testCase.repeatCount {
            // Each repeat gets fresh scripted replies.
            var attemptRegistry = registry
            if testCase.mock != nil {
                attemptRegistry = ProviderRegistry(environment: environment, transport: transport, mockReplies: testCase.mock ?? [])
                attemptRegistry.forceMock = true
            } else if result.mode == .mock {
                attemptRegistry = ProviderRegistry(environment: environment, transport: transport, mockReplies: loaded.workflow.mock)
            }
            let drifts = Locked<[String]>([])
            let directory = (loaded.source.path as NSString).deletingLastPathComponent
            let processTools = ProcessToolRunner(baseDirectory: directory.isEmpty ? "." : directory)
            let tools = cassetteUse?.tools(processTools, live: liveTools) { drift in drifts.withLock { $0.append(drift) } } ?? processTools
            var interpreter = Interpreter(providers: attemptRegistry, transcript: NullTranscript(), input: ScriptedInput(testCase.inputs),
                                          tools: tools, prices: prices)
            interpreter.cassette = cassetteUse
            let run = await interpreter.run(loaded, inputs: inputs)
            result.tokens += run.totals.inputTokens + run.totals.outputTokens
            if let total = result.costUSD, let cost = run.costUSD { result.costUSD = total + cost } else { result.costUSD = nil }
            var failures: [(String?, Int, String)] = []
            if let error = run.error {
                if error.kind == .provider {
                    result.providerError = error.message
                    break
                }
                failures.append((nil, testCase.mark.line, "the run failed: " + error.message))
            }
            failures += drifts.current.map { (nil, testCase.mark.line, $0) }
            for expectation in testCase.expectations {
                switch expectation.instantiated(with: inputs.merging(testCase.vars) { input, _ in input }) {
                case .success(let ready):
                    if let message = Expectations.check(ready, result: run) { failures.append((ready.file, ready.mark.line, message)) }
                case .failure(let error):
                    failures.append((expectation.file, expectation.mark.line, error.message))
                }
            }
            if failures.isEmpty { result.passedRuns += 1 } else { result.failures = failures }
        }
        let elapsed = ContinuousClock.now - started
        result.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return result
    }
}

/// A transcript that keeps nothing: test cases are judged on their results.
public struct NullTranscript: TranscriptSink {
    public init() {}
    public func record(_ type: EventType, _ fields: [(String, JSON)]) {}
    public var isRecording: Bool { false }
}
