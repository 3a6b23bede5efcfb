/// One scripted reply of the `mock` provider.
public struct MockReply: Sendable, Equatable {
    /// The reply's text.
    public var content: String
    /// How the reply ends (`stop` unless the workflow says otherwise).
    public var finishReason: FinishReason
    /// Tokens to report, for cost and budget tests.
    public var usage: Usage
    /// The first token's probability, served as logprobs (for `confidence_below`).
    public var confidence: Double?
    /// Tools the model asks to call (finish reason `tool_calls` unless set otherwise).
    public var toolCalls: [ToolCall] = []
    /// A provider error to raise instead of answering (for `error` branches).
    public var error: String?

    /// A scripted reply; it ends with `stop` unless told otherwise.
    public init(content: String, finishReason: FinishReason = .stop(raw: "stop"), usage: Usage = .init(), confidence: Double? = nil) {
        self.content = content
        self.finishReason = finishReason
        self.usage = usage
        self.confidence = confidence
    }
}
