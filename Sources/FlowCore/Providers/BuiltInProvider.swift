/// One provider flow knows without configuration: its name, where its key and address are read,
/// and how its adapter and Batch API client are made. Each provider's folder declares its own
/// entry (`OpenAI/OpenAI+Entry.swift`, …); everything that lists or builds providers reads
/// `BuiltInProvider.all`, so adding a provider is its folder plus one line there.
public struct BuiltInProvider: Sendable {
    /// The name `model:` uses.
    public let name: ProviderName
    /// The environment variable holding the API key; nil for a provider that needs none.
    public let keyVariable: String?
    /// The environment variable that points the provider at another address (a proxy, a stub).
    public let baseURLVariable: String?
    /// The wire format for `model` at `baseURL` (the provider's own address when nil); nil for
    /// a provider that sends nothing (the mock).
    let makeAdapter: @Sendable (_ model: String, _ baseURL: String?) -> (any ProviderAdapter)?
    /// The Batch API client over an adapter this entry made; nil where the provider has no Batch
    /// API, and the client nil where the adapter a model needs has none.
    let makeBatchClient: (@Sendable (_ adapter: any ProviderAdapter, _ apiKey: String, _ transport: any HTTPTransport) -> (any BatchClient)?)?

    init(name: ProviderName, keyVariable: String?, baseURLVariable: String?,
         adapter: @escaping @Sendable (_ model: String, _ baseURL: String?) -> (any ProviderAdapter)?,
         batchClient: (@Sendable (_ adapter: any ProviderAdapter, _ apiKey: String, _ transport: any HTTPTransport) -> (any BatchClient)?)? = nil) {
        self.name = name
        self.keyVariable = keyVariable
        self.baseURLVariable = baseURLVariable
        self.makeAdapter = adapter
        self.makeBatchClient = batchClient
    }
}

extension BuiltInProvider {
    /// Every built-in provider, in the order lists show them.
    public static let all: [BuiltInProvider] = [.mock, .openai, .anthropic, .gemini, .openaiResponses]

    /// The built-in provider called `name`, if there is one.
    public static func named(_ name: ProviderName) -> BuiltInProvider? { all.first { $0.name == name } }

    /// The providers that send requests: every list of them (`render --provider`, its help)
    /// reads this one.
    public static var sending: [ProviderName] { all.filter { $0.name != .mock }.map(\.name) }
}
