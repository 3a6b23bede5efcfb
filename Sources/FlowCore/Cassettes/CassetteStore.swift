import Foundation

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
