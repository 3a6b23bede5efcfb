/// Input tokens estimated without a tokenizer, the same for every provider: a message costs 4
/// tokens of framing plus one token per 4 bytes of UTF-8 (rounded up). It overestimates typical
/// English, which errs on the safe side of a context window, a budget and a rate limit.
extension ChatMessage {
    /// This message's estimated input tokens.
    public var estimatedTokens: Int {
        var bytes = content.utf8.count
        for call in toolCalls { bytes += call.name.utf8.count + call.arguments.serialized.utf8.count }
        for result in toolResults { bytes += result.content.utf8.count }
        return 4 + (bytes + 3) / 4
    }
}

extension Array where Element == ChatMessage {
    /// The messages' estimated input tokens.
    public var estimatedTokens: Int { reduce(0) { $0 + $1.estimatedTokens } }
}

extension ChatRequest {
    /// The request's estimated input tokens: its messages and its prefill.
    public var estimatedInputTokens: Int {
        messages.estimatedTokens + (prefill.map { ($0.utf8.count + 3) / 4 } ?? 0)
    }
}
