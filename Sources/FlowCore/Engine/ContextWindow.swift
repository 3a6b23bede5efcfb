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
    /// result is never kept without the call before it. One pass: estimates are computed once.
    static func trim(_ messages: [ChatMessage], budget: Int) -> (kept: [ChatMessage], removed: Int) {
        let costs = messages.map(estimate)
        var total = costs.reduce(0, +)
        guard total > budget else { return (messages, 0) }
        let lastUser = messages.lastIndex { $0.role == .user } ?? messages.count
        var drop = Set<Int>()
        var index = 0
        while total > budget, index < lastUser {
            if messages[index].role != .system {
                drop.insert(index)
                total -= costs[index]
                // Tool results answer the assistant message just dropped: they go with it.
                while index + 1 < lastUser, messages[index + 1].role == .tool {
                    index += 1
                    drop.insert(index)
                    total -= costs[index]
                }
            }
            index += 1
        }
        let kept = messages.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
        return (kept, drop.count)
    }
}
