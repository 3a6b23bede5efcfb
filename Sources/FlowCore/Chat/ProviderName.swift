/// The name of a provider as `model:` writes it (`openai` in `openai/gpt-4o-mini`): a built-in
/// one or a server named in flow.config.yaml. A type of its own so that a provider's name is
/// never confused with a model's, a step's or an event's, and the built-in names are spelled once.
public struct ProviderName: RawRepresentable, Hashable, Comparable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The name as written.
    public let rawValue: String

    /// A provider called `rawValue`.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// A provider called `value`.
    public init(_ value: String) { self.rawValue = value }
    /// A name written in code.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// The name as written.
    public var description: String { rawValue }

    /// Ordered by name, for lists.
    public static func < (lhs: ProviderName, rhs: ProviderName) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Answers from scripted replies and sends nothing.
    public static let mock: ProviderName = "mock"
    /// OpenAI's chat completions.
    public static let openai: ProviderName = "openai"
    /// OpenAI's Responses API, with OpenAI's key, address and prices.
    public static let openaiResponses: ProviderName = "openai-responses"
    /// Anthropic's messages.
    public static let anthropic: ProviderName = "anthropic"
    /// Google's Gemini API.
    public static let gemini: ProviderName = "gemini"

    /// The provider whose models and prices this one serves: OpenAI's Responses API serves and
    /// bills OpenAI's models. Said here rather than in the provider table, so prices and the
    /// model names depend on no provider code.
    public var family: ProviderName { self == .openaiResponses ? .openai : self }
}
