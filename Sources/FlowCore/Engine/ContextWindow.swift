/// Keeps a request under an estimated input budget by dropping the oldest turns. Pure.
///
/// The estimate is `ChatMessage.estimatedTokens`: simple, pessimistic, the same for every provider.
enum ContextWindow {

    /// The messages with the oldest non-system turns removed until the estimate fits `budget`.
    /// The system prompt and the last user turn (with anything after it) are always kept; a tool
    /// result is never kept without the call before it. One pass: estimates are computed once.
    static func trim(_ messages: [ChatMessage], budget: Int) -> (kept: [ChatMessage], removed: Int) {
        let costs = messages.map(\.estimatedTokens)
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
