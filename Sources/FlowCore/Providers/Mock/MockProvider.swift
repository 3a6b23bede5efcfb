import Foundation

/// Serves the replies scripted in a workflow's `mock:` list, in order: the offline default for
/// demos and tests. It continues a prefill natively (the reply is the rest of the answer).
public actor MockProvider: ChatProvider {
    /// `mock`.
    public nonisolated let name = ProviderName.mock
    private let replies: [MockReply]
    private var served = 0
    /// Every request received, for tests that check what the interpreter sent.
    public private(set) var requests: [ChatRequest] = []

    /// A mock serving `replies` in order.
    public init(replies: [MockReply]) { self.replies = replies }

    /// Native: a reply is the rest of the prefilled answer.
    public nonisolated func prefillMode(for model: String) -> PrefillMode { .native }

    /// The next scripted reply (or its scripted error); a provider error when none is left.
    public func complete(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
        requests.append(request)
        guard served < replies.count else {
            throw ProviderError(.script, "the workflow's 'mock' list has \(replies.count) replies and call \(served + 1) asked for another",
                                status: nil)
        }
        let reply = replies[served]
        served += 1
        if let error = reply.error {
            throw ProviderError(.http, "mock error: \(error)", status: 500, errorType: "mock")
        }
        // A scripted confidence becomes the first token's log probability.
        let logprobs = reply.confidence.map { confidence in
            [TokenLogprob(token: String(reply.content.split(separator: " ").first ?? ""), logprob: log(max(confidence, 1e-12)))]
        }
        var response = ChatResponse(content: reply.content, finishReason: reply.finishReason,
                                    usage: reply.usage, model: request.model, logprobs: logprobs, toolCalls: reply.toolCalls)
        response.origin = .mock
        return response
    }
}
