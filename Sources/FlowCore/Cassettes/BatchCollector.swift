/// The requests a batch round could not answer from the cassette. Each round of a batch run
/// replays every case through the cassette; where a case needs an answer nobody has recorded, the
/// replay gives its request to the collector and the case stops there, to go on in the next
/// round once the batch has answered. Requests that a batch failed answer with that failure from
/// then on, so a round never waits for them again.
public final class BatchCollector: Sendable {
    /// A request waiting for a batch.
    public struct Pending: Sendable {
        /// The model, provider included.
        public var model: ModelRef
        /// The step that asked, recorded with the answer.
        public var step: String
        /// The request as the provider receives it.
        public var request: ChatRequest
        /// The normalized request and its cassette key (the batch's custom id).
        public var normalized: JSON
        public var key: String
        /// The variant that asked (`variants:`), tagged on the recording.
        public var variant: String? = nil
    }

    private struct State {
        var pending: [String: Pending] = [:]
        var order: [String] = []
        var failed: [String: ProviderError] = [:]
        /// Which case first asked for each key, for its share of the batch's cost.
        var askedBy: [String: String] = [:]
    }

    private let state = Locked(State())

    /// An empty collector.
    public init() {}

    func add(_ pending: Pending, case name: String?) {
        state.withLock { state in
            guard state.pending[pending.key] == nil else { return }
            state.pending[pending.key] = pending
            state.order.append(pending.key)
            if let name, state.askedBy[pending.key] == nil { state.askedBy[pending.key] = name }
        }
    }

    /// The batch's failure for `key`, if it failed.
    func failure(for key: String) -> ProviderError? { state.current.failed[key] }

    /// Takes this round's requests, in the order they were first asked for.
    public func drain() -> [Pending] {
        state.withLock { state in
            defer {
                state.pending = [:]
                state.order = []
            }
            return state.order.compactMap { state.pending[$0] }
        }
    }

    /// Remembers that the batch gave no answer for `key`.
    public func fail(_ key: String, _ error: ProviderError) {
        state.withLock { $0.failed[key] = error }
    }

    /// The case that first asked for `key`.
    public func askedBy(_ key: String) -> String? { state.current.askedBy[key] }
}
