/// Keeps a request under an estimated input budget by dropping the oldest turns. Pure.
///
/// The estimator is deliberately simple and pessimistic for English and code: a message costs
/// 4 tokens of framing plus one token per 4 bytes of UTF-8 (rounded up). It needs no tokenizer,
/// so it works the same for every provider; it overestimates typical English, which errs on the
/// safe side of a context window.
enum ContextWindow {
    static func estimate(_ message: ChatMessage) -> Int {
        var bytes = message.content.utf8.count
        for call in message.toolCalls { bytes += call.name.utf8.count + call.arguments.serialized.utf8.count }
        for result in message.toolResults { bytes += result.content.utf8.count }
        return 4 + (bytes + 3) / 4
    }

    static func estimate(_ messages: [ChatMessage]) -> Int {
        messages.reduce(0) { $0 + estimate($1) }
    }

    /// The messages with the oldest non-system turns removed until the estimate fits `budget`.
    /// The system prompt and the last user turn (with anything after it) are always kept; a tool
    /// result is never kept without the call before it.
    static func trim(_ messages: [ChatMessage], budget: Int) -> (kept: [ChatMessage], removed: Int) {
        var kept = messages
        var removed = 0
        let lastUser = kept.lastIndex { $0.role == .user } ?? kept.count
        var protectedFrom = lastUser
        while estimate(kept) > budget {
            guard let oldest = kept.firstIndex(where: { $0.role != .system }), oldest < protectedFrom else { break }
            kept.remove(at: oldest)
            removed += 1
            protectedFrom -= 1
            // Tool results answer the assistant message just removed: drop them with it.
            while oldest < protectedFrom, kept[oldest].role == .tool {
                kept.remove(at: oldest)
                removed += 1
                protectedFrom -= 1
            }
        }
        return (kept, removed)
    }
}
