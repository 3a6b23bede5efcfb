/// One scripted reply of the `mock` provider.
public struct MockReply: Sendable, Equatable {
    /// The reply's text.
    public var content: String
    /// The finish reason as OpenAI spells it (`stop`, `length`, …); any other word is kept raw.
    public var finishReason: String
    /// Tokens to report, for cost and budget tests.
    public var usage: Usage
    /// The first token's probability, served as logprobs (for `confidence_below`).
    public var confidence: Double?
    /// Tools the model asks to call (finish reason `tool_calls` unless set otherwise).
    public var toolCalls: [ToolCall] = []
    /// A provider error to raise instead of answering (for `error` branches).
    public var error: String?

    /// A scripted reply; it ends with `stop` unless told otherwise.
    public init(content: String, finishReason: String = "stop", usage: Usage = .init(), confidence: Double? = nil) {
        self.content = content
        self.finishReason = finishReason
        self.usage = usage
        self.confidence = confidence
    }
}
