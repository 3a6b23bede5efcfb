import Foundation

/// `flow test --batch`: a suite answered through the providers' Batch APIs, breadth-first
/// through the cassette. Each round replays every case; the requests nobody has recorded are
/// collected, sent as one batch per model (split at the provider's limits), polled until they
/// end, and their answers recorded into the cassette; the next round goes one step further. A
/// branch, a continuation or a tool round is simply the next round. The run ends with a normal
/// cassette, which `flow test` replays for free afterwards. Batches in flight are kept in the
/// ledger, so a run started again resumes them instead of submitting them twice.
public struct BatchRun: Sendable {
    /// Runs the cases (its cassette is where answers go).
    public var runner: TestRunner
    /// Builds each provider's batch client, with its key.
    public var registry: ProviderRegistry
    /// Batches in flight, by what they ask.
    public var ledger: BatchLedger
    /// Seconds between polls.
    public var pollSeconds: Double
    /// Told of each batch submitted, resumed and polled, a line each.
    public var onProgress: @Sendable (String) -> Void
    /// Rounds at most: a workflow that keeps asking stops here.
    public var maxRounds = 64
    /// The share of the list price a batch costs.
    public static let priceShare = 0.5

    /// What the batches did, for the report.
    public struct Summary: Sendable, Equatable {
        /// Rounds of replay it took.
        public var rounds = 0
        /// Batches submitted by this run, and resumed from an earlier one.
        public var submitted = 0
        public var resumed = 0
        /// Requests answered by batches, and those a batch failed.
        public var answered = 0
        public var failed = 0
        /// What the answers cost at the batch price; nil when a model had no price.
        public var costUSD: Double? = 0

        /// The sum of two workflows' batch runs.
        public static func + (a: Summary, b: Summary) -> Summary {
            Summary(rounds: max(a.rounds, b.rounds), submitted: a.submitted + b.submitted, resumed: a.resumed + b.resumed,
                    answered: a.answered + b.answered, failed: a.failed + b.failed,
                    costUSD: a.costUSD.flatMap { x in b.costUSD.map { x + $0 } })
        }
    }

    /// A batch run of `runner`'s cases.
    public init(runner: TestRunner, registry: ProviderRegistry, ledger: BatchLedger, pollSeconds: Double,
                onProgress: @escaping @Sendable (String) -> Void) {
        self.runner = runner
        self.registry = registry
        self.ledger = ledger
        self.pollSeconds = pollSeconds
        self.onProgress = onProgress
    }

    /// Runs `cases` round by round until none waits for a batch; the last round's results, each
    /// case answered by a batch marked so and charged its share.
    public func run(_ cases: [TestCase]) async -> ([CaseResult], Summary) {
        let collector = BatchCollector()
        var runner = self.runner
        runner.batch = collector
        var summary = Summary()
        // Cases that waited for a batch (batch cases, even at $0 for a model without a price),
        // and each one's share of the batches' cost.
        var batched: Set<String> = []
        var costs: [String: Double] = [:]
        while true {
            summary.rounds += 1
            let results = await runner.run(cases) { _ in }
            let pending = collector.drain()
            guard !pending.isEmpty, summary.rounds < maxRounds else {
                return (results.map { result in
                    guard batched.contains(result.name) else { return result }
                    var answered = result
                    answered.mode = .batch
                    answered.costUSD = answered.costUSD.map { $0 + (costs[result.name] ?? 0) }
                    return answered
                }, summary)
            }
            batched.formUnion(pending.compactMap { collector.askedBy($0.key) })
            let groups = Dictionary(grouping: pending) { $0.model.description }
            for model in groups.keys.sorted() {
                await answer(groups[model]!, collector: collector, summary: &summary, costs: &costs)
            }
            do {
                try runner.cassette?.finish()
            } catch {
                onProgress("error: \(error.message)")
            }
        }
    }

    /// Sends one model's pending requests as batches (or resumes them), waits for them, and
    /// records each answer; a request with no answer is failed in the collector.
    private func answer(_ pending: [BatchCollector.Pending], collector: BatchCollector, summary: inout Summary,
                        costs: inout [String: Double]) async {
        let model = pending[0].model
        let byKey = Dictionary(pending.map { ($0.key, $0) }) { first, _ in first }
        func failAll(_ error: ProviderError) {
            for item in pending { collector.fail(item.key, error) }
            summary.failed += pending.count
        }
        let client: any BatchClient
        let chunks: [[BatchItem]]
        do throws(ProviderError) {
            client = try registry.batchClient(for: model)
            chunks = try client.split(pending.map { BatchItem(customID: $0.key, request: $0.request) })
        } catch {
            return failAll(error)
        }
        for chunk in chunks {
            let digest = BatchLedger.digest(model: model.description, keys: chunk.map(\.customID))
            do throws(ProviderError) {
                let status = try await wait(for: try await submitted(chunk, digest: digest, model: model, client: client, summary: &summary),
                                            model: model, client: client)
                let answers = status.phase == .failed ? [:] : try await client.results(status, ids: chunk.map(\.customID))
                for item in chunk {
                    guard let pending = byKey[item.customID] else { continue }
                    switch answers[item.customID] {
                    case .success(let response)?:
                        try record(pending, response)
                        summary.answered += 1
                        let cost = runner.prices.cost(response.usage, model: model).map { $0 * Self.priceShare }
                        if let cost, let total = summary.costUSD { summary.costUSD = total + cost } else { summary.costUSD = nil }
                        costs[collector.askedBy(item.customID) ?? "", default: 0] += cost ?? 0
                    case .failure(let error)?:
                        collector.fail(item.customID, error)
                        summary.failed += 1
                    case nil:
                        collector.fail(item.customID, ProviderError(.http, "the \(client.provider) batch \(status.id) ended "
                                                                    + "(\(status.providerState)) without an answer for this request"))
                        summary.failed += 1
                    }
                }
                ledger.remove(digest)
            } catch {
                for item in chunk { collector.fail(item.customID, error) }
                summary.failed += chunk.count
            }
        }
    }

    /// The batch for `chunk`: the one in flight from an earlier run, or a new one.
    private func submitted(_ chunk: [BatchItem], digest: String, model: ModelRef, client: any BatchClient,
                           summary: inout Summary) async throws(ProviderError) -> BatchStatus {
        if let entry = ledger.entry(digest) {
            summary.resumed += 1
            onProgress("batch \(entry.batchID) (\(model), \(chunk.count) requests): resumed, submitted \(entry.submittedAt)")
            return try await client.status(entry.batchID)
        }
        let status = try await client.submit(chunk)
        summary.submitted += 1
        do {
            try ledger.save(BatchLedger.Entry(digest: digest, model: model.description, batchID: status.id, requests: chunk.count,
                                              cassette: runner.cassette?.path ?? "", submittedAt: UTCTime.iso8601(Date()), state: status.providerState))
        } catch {
            onProgress("warning: cannot keep batch \(status.id) in \(ledger.directory) (\(error)); a run started again would submit it again")
        }
        onProgress("batch \(status.id) (\(model), \(chunk.count) requests): submitted")
        return status
    }

    /// Polls until the batch is over, saying where it stands when that changes.
    private func wait(for first: BatchStatus, model: ModelRef, client: any BatchClient) async throws(ProviderError) -> BatchStatus {
        var status = first
        var said = ""
        while !status.isOver {
            let line = "batch \(status.id) (\(model)): \(status.providerState), \(status.finished)/\(status.total) done"
            if line != said { onProgress(line) }
            said = line
            try await Pause.seconds(pollSeconds)
            status = try await client.status(status.id)
        }
        onProgress("batch \(status.id) (\(model)): \(status.providerState), \(status.finished)/\(status.total) done")
        return status
    }

    private func record(_ pending: BatchCollector.Pending, _ response: ChatResponse) throws(ProviderError) {
        guard let store = runner.cassette else { return }
        var interaction = Cassette.Interaction(key: pending.key, step: pending.step, request: pending.normalized, response: response)
        interaction.variant = pending.variant
        try store.record(interaction)
    }
}
