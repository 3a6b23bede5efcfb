/// The providers flow knows without configuration, each with the variables that configure it:
/// one table, read by the registry (keys, base URLs), `flow render` and `flow models`.
public enum ProviderKind: String, Sendable, CaseIterable {
    case mock, openai, anthropic, gemini
    /// OpenAI's Responses API, with OpenAI's key and address.
    case openaiResponses = "openai-responses"

    /// The providers that send requests, by name: every list of them (`render --provider`, its
    /// help) reads this one.
    public static var sending: [String] { allCases.filter { $0 != .mock }.map(\.rawValue) }

    /// The environment variable holding the API key (none for the mock).
    public var keyVariable: String? {
        switch self {
        case .mock: return nil
        case .openai, .openaiResponses: return "OPENAI_API_KEY"
        case .anthropic: return "ANTHROPIC_API_KEY"
        case .gemini: return "GEMINI_API_KEY"
        }
    }

    /// The environment variable that points the provider at another address (a proxy, a stub).
    public var baseURLVariable: String? {
        switch self {
        case .mock: return nil
        case .openai, .openaiResponses: return "OPENAI_BASE_URL"
        case .anthropic: return "ANTHROPIC_BASE_URL"
        case .gemini: return "GEMINI_BASE_URL"
        }
    }
}
