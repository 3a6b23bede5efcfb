import Foundation

/// How runs use cassettes: `live` sends requests, `record` sends them and saves each answer,
/// `replay` answers from the cassette with no network (a miss is an error).
public enum CassetteMode: String, Sendable {
    case live, record, replay
}

/// A cassette and the file it lives in. Recording appends each answer to the cassette's journal
/// (`CassetteJournal`) as it comes, one line, so an interrupted or killed recording keeps what it
/// paid for and recording stays linear in the number of answers; `finish` (at the end of a run,
/// on Ctrl-C, or when the cassette is next opened) compacts the journal into the cassette file.
/// Several runs may record into one cassette at once (two shards, two terminals): appends and
/// compactions hold an advisory lock on `<cassette>.lock`, a compaction lays the journal over what
/// the file holds now, and the file is replaced atomically (an owner-only temporary, fsync, then a
/// rename), so no run's answers overwrite another's and a killed run never leaves a half-written
/// cassette.
public final class CassetteStore: Sendable {
    /// The cassette file.
    public let path: String
    /// Its journal.
    public let journal: String

    /// The cassette as this run sees it, behind one lock: cases record and replay concurrently.
    private struct State {
        var cassette: Cassette
        /// The keys this run replayed or recorded, for `--prune`.
        var used: Set<String> = []
    }

    private let state: Locked<State>

    /// A store for `path` holding `cassette` (nothing is read or written yet).
    public init(path: String, cassette: Cassette = Cassette()) {
        self.path = path
        journal = CassetteJournal.path(of: path)
        state = Locked(State(cassette: cassette))
    }

    /// Loads `path`; a missing file is an empty cassette (to record into). A journal left by a
    /// recording that was killed is compacted into the file first, and its temporaries removed.
    public static func open(_ path: String) throws -> CassetteStore {
        CassetteFile.removeStaleTemporaries(of: path)
        let store = CassetteStore(path: path)
        do {
            if FileManager.default.fileExists(atPath: store.journal) {
                try store.finish()
            } else if let data = FileManager.default.contents(atPath: path) {
                let cassette = try Cassette(json: try JSON.parse([UInt8](data)))
                store.state.withLock { $0.cassette = cassette }
            }
        } catch let error as ProviderError {
            throw CassetteError(message: error.message)
        } catch {
            throw CassetteError(message: "\(path): error: \(error)")
        }
        return store
    }

    /// The cassette as it stands now, this run's recordings included.
    public var current: Cassette { state.current.cassette }

    /// Whether there is anything recorded at `path`: the file, or a journal a killed run left.
    public static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path) || FileManager.default.fileExists(atPath: CassetteJournal.path(of: path))
    }

    func record(_ recorded: Cassette.Interaction) throws(ProviderError) {
        let interaction = recorded.redacted
        try state.withLock { (state: inout State) throws(ProviderError) in
            state.cassette.record(interaction)
            state.used.insert(interaction.key)
            try append(CassetteJournal.line(interaction))
        }
    }

    func record(tool recorded: Cassette.ToolInteraction) throws(ProviderError) {
        var tool = recorded
        tool.content = Redaction.text(tool.content)
        tool.arguments = tool.arguments.redacted
        try state.withLock { (state: inout State) throws(ProviderError) in
            state.cassette.record(tool: tool)
            state.used.insert(tool.key)
            try append(CassetteJournal.line(tool))
        }
    }

    /// Notes that a recording was replayed, so `--prune` keeps it.
    func markUsed(_ key: String) {
        state.withLock { _ = $0.used.insert(key) }
    }

    /// Compacts the journal into the cassette file: under the file lock, what the file holds now
    /// (other runs' compactions included) with the journal's lines laid over it in order, written
    /// atomically, then the journal removed. Nothing happens when there is no journal. Afterwards
    /// this store sees the file's contents and its own recordings.
    public func finish() throws(ProviderError) {
        try state.withLock { (state: inout State) throws(ProviderError) in
            try compact(&state)
        }
    }

    /// Drops every recording this run neither replayed nor recorded and writes the cassette;
    /// returns how many were dropped. Only meaningful after a run of every case.
    public func prune() throws(ProviderError) -> Int {
        try state.withLock { (state: inout State) throws(ProviderError) -> Int in
            try compact(&state)
            let dropped = state.cassette.prune(keeping: state.used)
            if dropped > 0 { try locked { try CassetteFile.replace(path, with: Data((state.cassette.json.pretty + "\n").utf8)) } }
            return dropped
        }
    }

    private func append(_ line: String) throws(ProviderError) {
        let journal = self.journal
        try locked { try CassetteFile.append(line, to: journal) }
    }

    /// Called under the state's lock.
    private func compact(_ state: inout State) throws(ProviderError) {
        let path = self.path, journal = self.journal
        try locked {
            guard let pending = FileManager.default.contents(atPath: journal) else { return }
            var merged = Cassette()
            if let data = FileManager.default.contents(atPath: path) {
                do {
                    merged = try Cassette(json: try JSON.parse([UInt8](data)))
                } catch {
                    throw CassetteFile.Failure(message: "\(path) is not a readable cassette (\(error)); its journal \(journal) was kept")
                }
            }
            do {
                _ = try CassetteJournal.apply([UInt8](pending), to: &merged)
            } catch {
                throw CassetteFile.Failure(message: "\(journal): \(error); it was kept, and the cassette left as it was")
            }
            // What this run holds but the file and journal do not (another run pruned it) stays.
            for interaction in state.cassette.interactions where merged.response(for: interaction.key) == nil { merged.record(interaction) }
            for tool in state.cassette.toolResults where merged.toolResult(for: tool.key) == nil { merged.record(tool: tool) }
            // Recordings were redacted as they came (`redacted`), not the whole file per write.
            try CassetteFile.replace(path, with: Data((merged.json.pretty + "\n").utf8))
            unlink(journal)
            state.cassette = merged
        }
    }

    /// Runs `body` under the cassette's file lock; failures name the cassette.
    private func locked(_ body: () throws -> Void) throws(ProviderError) {
        do {
            try CassetteFile.withLock(path, body)
        } catch {
            throw ProviderError(.record, "cannot write the cassette '\(path)': \((error as? CassetteFile.Failure)?.message ?? "\(error)")")
        }
    }
}

/// Sends through the real provider and saves each answer in the cassette.
struct RecordingProvider: ChatProvider {
    let inner: any ChatProvider
    let store: CassetteStore
    let step: String
    /// The variant recording, tagged on each interaction.
    var variant: String? = nil
    /// The test case recording, tagged on each interaction.
    var caseName: String? = nil

    var name: String { inner.name }
    func prefillMode(for model: String) -> PrefillMode { inner.prefillMode(for: model) }
    func check(_ request: ChatRequest) throws(ProviderError) { try inner.check(request) }
    func wire(_ request: ChatRequest) -> HTTPRequest? { inner.wire(request) }

    func complete(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
        let response = try await inner.complete(request)
        try save(request, response)
        return response
    }

    func stream(_ request: ChatRequest, onText: @escaping @Sendable (String) -> Void) async throws(ProviderError) -> ChatResponse {
        let response = try await inner.stream(request, onText: onText)
        try save(request, response)
        return response
    }

    private func save(_ request: ChatRequest, _ response: ChatResponse) throws(ProviderError) {
        let normalized = Cassette.normalized(request, provider: name)
        var interaction = Cassette.Interaction(key: Cassette.key(normalized), step: step, request: normalized, response: response)
        interaction.variant = variant
        interaction.caseName = caseName
        try store.record(interaction)
    }
}

/// Answers from the cassette: no network, no key. It keeps the real provider's rules (prefill
/// mode, capability checks), so a replayed run takes the same path as the recorded one.
struct ReplayProvider: ChatProvider {
    let name: String
    let adapter: (any ProviderAdapter)?
    let store: CassetteStore
    let step: String
    /// The command that records the missing answer where this replay runs.
    let recordCommand: String
    /// In a batch round, where a miss goes instead of failing.
    var batch: BatchCollector? = nil
    /// The case this replay runs for, in a batch round.
    var caseName: String? = nil
    /// The variant it runs under, tagged on what a batch round records.
    var variant: String? = nil

    func prefillMode(for model: String) -> PrefillMode { adapter?.prefillMode(for: model) ?? .native }
    func check(_ request: ChatRequest) throws(ProviderError) { try adapter?.check(request) }

    func complete(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
        let normalized = Cassette.normalized(request, provider: name)
        let cassette = store.current
        let key = Cassette.key(normalized)
        if var response = cassette.response(for: key) {
            store.markUsed(key)
            response.origin = .replay
            return response
        }
        if let batch {
            if let failure = batch.failure(for: key) { throw failure }
            batch.add(BatchCollector.Pending(model: ModelRef(provider: name, name: request.model), step: step, request: request, normalized: normalized,
                                             key: key, variant: variant), case: caseName)
            throw ProviderError(.cassetteMiss, "waiting for the batch to answer step '\(step)'", errorType: BatchCollector.pendingType)
        }
        var message = "no recording of this request in \(store.path)"
        if let nearest = cassette.nearest(to: normalized, step: step, caseName: caseName, variant: variant) {
            let which = nearest.caseName.map { "case '\($0)', " } ?? ""
            message += "; the nearest recorded request (\(which)step '\(nearest.step)') differs:\n"
                + CassetteDiff.lines(nearest.request, normalized).map { "  " + $0 }.joined(separator: "\n")
        } else {
            message += " (it holds no recordings)"
        }
        message += "\nrecord it again with '\(recordCommand)'"
        throw ProviderError(.cassetteMiss, message)
    }

    func stream(_ request: ChatRequest, onText: @escaping @Sendable (String) -> Void) async throws(ProviderError) -> ChatResponse {
        let response = try await complete(request)
        if !response.content.isEmpty { onText(response.content) }
        return response
    }
}

/// Tool calls against the cassette. Recording runs each tool and saves its result; replaying
/// answers from the recording and runs nothing, so an offline CI run has no side effects. With
/// `live` (`--live-tools`) a replay runs the tools for real and reports, through `onDrift`, any
/// result that differs from the recording, as a diff.
public struct CassetteToolRunner: ToolRunner {
    /// The runner that runs tools for real.
    public let inner: any ToolRunner
    /// Where results are recorded or replayed from.
    public let store: CassetteStore
    /// Record or replay.
    public let mode: CassetteMode
    /// With replay: run the tools anyway and compare (`--live-tools`).
    public let live: Bool
    /// Told of each result unlike its recording, as a diff.
    public let onDrift: @Sendable (String) -> Void
    /// In a batch round: a recorded result replays, a missing one runs and is recorded.
    public let batch: Bool

    /// Tools through `store` in `mode`.
    public init(inner: any ToolRunner, store: CassetteStore, mode: CassetteMode, live: Bool, batch: Bool = false,
                onDrift: @escaping @Sendable (String) -> Void) {
        self.inner = inner
        self.store = store
        self.mode = mode
        self.live = live
        self.batch = batch
        self.onDrift = onDrift
    }

    /// The recorded result, or the real one (recorded, or compared with the recording).
    public func run(_ tool: ToolDeclaration, arguments: JSON) async -> (content: String, isError: Bool) {
        let key = Cassette.toolKey(name: tool.name, arguments: arguments)
        let recorded = store.current.toolResult(for: key)
        if batch, recorded == nil {
            return await CassetteToolRunner(inner: inner, store: store, mode: .record, live: live, onDrift: onDrift).run(tool, arguments: arguments)
        }
        switch mode {
        case .replay where !live:
            guard let recorded else {
                return ("no recorded result for tool '\(tool.name)' with arguments \(arguments.serialized) in \(store.path); "
                        + "record the cassette again, or run tools for real with --live-tools", true)
            }
            store.markUsed(key)
            return (recorded.content, recorded.isError)
        case .record:
            let result = await inner.run(tool, arguments: arguments)
            do {
                try store.record(tool: Cassette.ToolInteraction(name: tool.name, arguments: arguments, content: result.content,
                                                                isError: result.isError))
            } catch {
                onDrift("cannot save the result of tool '\(tool.name)': \(error.message)")
            }
            return result
        default:
            let result = await inner.run(tool, arguments: arguments)
            if let recorded {
                store.markUsed(key)
                if recorded.content != result.content || recorded.isError != result.isError {
                    var lines = ["tool '\(tool.name)' (arguments \(arguments.serialized)) gave another result than the recording:"]
                    if recorded.isError != result.isError { lines.append("  is_error: \(recorded.isError) → \(result.isError)") }
                    lines += CassetteDiff.textDiff(recorded.content, result.content)
                    onDrift(lines.joined(separator: "\n"))
                }
            }
            return result
        }
    }
}

/// How a run uses a cassette: the store, the mode, and what a replay miss tells the user to run
/// (each command records in its own way). The interpreter applies it when it resolves each
/// step's provider, so the provider registry knows nothing of cassettes.
public struct CassetteUse: Sendable {
    /// The cassette.
    public var store: CassetteStore
    /// Replay, record, or live (no wrapping).
    public var mode: CassetteMode
    /// The command a replay miss names.
    public var recordCommand: String
    /// In a round of a batch run: where replay misses are collected (and tools recorded as they run).
    public var batch: BatchCollector?
    /// The test case this use serves: recordings are tagged with it, and a miss is explained
    /// against its recording.
    public var caseName: String?
    /// The variant this use serves; recordings are tagged with it.
    public var variant: String?

    /// A use of `store` in `mode`, for `variant` when the workflow runs as one.
    public init(store: CassetteStore, mode: CassetteMode, recordCommand: String, variant: String? = nil) {
        self.store = store
        self.mode = mode
        self.recordCommand = recordCommand
        self.variant = variant
    }

    /// The provider for `ref` in `step` under this use: answered from the cassette, recorded
    /// into it, or as `registry` resolves it. Scripted (forced mock) runs are left as they are.
    func provider(for ref: ModelRef, step: String, registry: ProviderRegistry,
                  resolve: () throws(ProviderError) -> any ChatProvider) throws(ProviderError) -> any ChatProvider {
        guard !registry.forceMock else { return try resolve() }
        switch mode {
        case .replay:
            return ReplayProvider(name: ref.provider, adapter: try registry.adapter(for: ref), store: store, step: step,
                                  recordCommand: recordCommand, batch: batch, caseName: caseName, variant: variant)
        case .record:
            return RecordingProvider(inner: try resolve(), store: store, step: step, variant: variant, caseName: caseName)
        case .live:
            return try resolve()
        }
    }

    /// `tools` wrapped for this use: recorded when recording, replayed when replaying (run for
    /// real and compared when `live`).
    public func tools(_ tools: any ToolRunner, live: Bool, onDrift: @escaping @Sendable (String) -> Void) -> any ToolRunner {
        guard mode != .live else { return tools }
        return CassetteToolRunner(inner: tools, store: store, mode: mode, live: live, batch: batch != nil, onDrift: onDrift)
    }
}

extension Cassette.Interaction {
    /// The interaction with secrets taken out of its texts (a key a provider echoed in its answer),
    /// before it is stored: once per answer, not over the whole file at every write.
    var redacted: Cassette.Interaction {
        var copy = self
        copy.request = request.redacted
        copy.response.content = Redaction.text(response.content)
        copy.response.toolCalls = response.toolCalls.map { call in
            var safe = call
            safe.arguments = call.arguments.redacted
            return safe
        }
        return copy
    }
}

extension JSON {
    /// The value with `Redaction.text` applied to every string in it.
    var redacted: JSON {
        switch self {
        case .string(let text): return .string(Redaction.text(text))
        case .array(let items): return .array(items.map(\.redacted))
        case .object(let pairs): return .object(pairs.map { ($0.0, $0.1.redacted) })
        default: return self
        }
    }
}

