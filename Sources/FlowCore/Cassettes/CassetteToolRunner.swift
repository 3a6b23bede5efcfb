import Foundation

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
