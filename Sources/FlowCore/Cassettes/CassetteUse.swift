import Foundation

/// How runs use cassettes: `live` sends requests, `record` sends them and saves each answer,
/// `replay` answers from the cassette with no network (a miss is an error).
public enum CassetteMode: String, Sendable {
    case live, record, replay
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
