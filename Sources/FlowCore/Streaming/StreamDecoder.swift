/// Turns a provider's stream of events into text deltas and, at the end, one `ChatResponse`
/// equal to what the non-streamed call would have returned.
public protocol StreamDecoder: Sendable {
    /// Reads one event; returns the answer text it adds (may be empty). Throws for an error event.
    mutating func consume(_ event: SSEEvent) throws(ProviderError) -> String
    /// The whole response. Throws `.decode` when the stream ended before its last event.
    func finish() throws(ProviderError) -> ChatResponse
}

enum StreamJSON {
    static func parse(_ text: String, provider: ProviderName) throws(ProviderError) -> JSON {
        do {
            return try JSON.parse(text)
        } catch {
            throw ProviderError(.decode, "\(provider) sent a stream event that is not JSON (\(error))")
        }
    }
}
