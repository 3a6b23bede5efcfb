import Foundation

/// Sends through the real provider and saves each answer in the cassette.
struct RecordingProvider: ChatProvider {
    let inner: any ChatProvider
    let store: CassetteStore
    let step: String
    /// The variant recording, tagged on each interaction.
    var variant: String? = nil
    /// The test case recording, tagged on each interaction.
    var caseName: String? = nil

    var name: ProviderName { inner.name }
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
