import Foundation

/// Answers from the cassette: no network, no key. It keeps the real provider's rules (prefill
/// mode, capability checks), so a replayed run takes the same path as the recorded one.
struct ReplayProvider: ChatProvider {
    let name: ProviderName
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
            throw ProviderError(.cassetteMiss, "waiting for the batch to answer step '\(step)'", cause: .batchPending)
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
