import Foundation

/// Builds providers from `provider/model` references, the environment and the project config.
/// The built-in providers come from `BuiltInProvider.all` (a test checks each resolves).
public struct ProviderRegistry: Sendable {
    /// The providers flow knows without configuration.
    public static let builtIn = BuiltInProvider.all.map(\.name)

    /// Where keys and base URLs are read.
    public var environment: [String: String]
    /// How requests are sent.
    public var transport: any HTTPTransport
    /// The OpenAI-compatible servers of flow.config.yaml.
    public var compatible: [CompatibleProvider]
    /// Files holding keys, by provider name, read when the key's variable is unset.
    public var keyFiles: [ProviderName: String]
    /// Retries of failed requests.
    public var retry: RetryPolicy
    /// Told of each retry, unless a call names its own listener.
    public var onRetry: (@Sendable (RetryAttempt) -> Void)?
    /// Answer every model from the mock's scripted replies (test cases with `mock:`).
    public var forceMock = false
    /// Told of each wait for a rate limit, unless a call names its own listener.
    public var onWait: (@Sendable (RateWait) -> Void)?
    /// The pace of each endpoint, shared by every worker of a run; nil sends at once.
    public var gates: RateGates?
    private var mock: MockProvider

    /// A registry; `mockReplies` are what `mock/…` models answer.
    public init(environment: [String: String], transport: any HTTPTransport, mockReplies: [MockReply],
                compatible: [CompatibleProvider] = [], keyFiles: [ProviderName: String] = [:], retry: RetryPolicy = .default,
                onRetry: (@Sendable (RetryAttempt) -> Void)? = nil) {
        self.environment = environment
        self.transport = transport
        self.compatible = compatible
        self.keyFiles = keyFiles
        self.retry = retry
        self.onRetry = onRetry
        for provider in compatible { Secrets.registerPassword(inURL: provider.baseURL) }
        // One mock for the whole run, so replies are served in order across steps.
        self.mock = MockProvider(replies: mockReplies)
    }

    /// The same registry with `mock/…` models answering `replies` from the first: a called
    /// workflow's own `mock:` list. A test case's scripted replies (`forceMock`) are kept, since
    /// they answer the whole run, calls included.
    public func answeringMock(_ replies: [MockReply]) -> ProviderRegistry {
        guard !forceMock else { return self }
        var registry = self
        registry.mock = MockProvider(replies: replies)
        return registry
    }

    /// Every provider name a workflow may use here.
    public var names: [ProviderName] { Self.builtIn + compatible.map(\.name) }

    /// The provider for `ref`; `onRetry` and `onWait` (or the registry's) hear of each retried
    /// attempt and each rate-limit wait. Throws `.missingKey` naming the variable to set.
    public func provider(for ref: ModelRef, onRetry: (@Sendable (RetryAttempt) -> Void)? = nil,
                         onWait: (@Sendable (RateWait) -> Void)? = nil) throws(ProviderError) -> any ChatProvider {
        var registry = self
        if let onRetry { registry.onRetry = onRetry }
        if let onWait { registry.onWait = onWait }
        if forceMock { return mock }
        return try registry.resolve(ref)
    }

    /// The wire format and rules of `ref`'s provider, at its endpoint (nil for the mock). Needs
    /// no key, so replay and `flow render` use it too.
    public func adapter(for ref: ModelRef) throws(ProviderError) -> (any ProviderAdapter)? {
        guard let entry = BuiltInProvider.named(ref.provider) else {
            let configured = try compatibleProvider(ref)
            return OpenAIAdapter(providerName: configured.name, baseURL: configured.baseURL, maxTokensField: configured.maxTokensField,
                                 structuredOutput: configured.structuredOutput)
        }
        return entry.makeAdapter(ref.name, entry.baseURLVariable.flatMap(base))
    }

    private func resolve(_ ref: ModelRef) throws(ProviderError) -> any ChatProvider {
        guard let adapter = try adapter(for: ref) else { return mock }
        var apiKey: String?
        if let variable = BuiltInProvider.named(ref.provider)?.keyVariable {
            apiKey = try key(variable, for: ref)
        } else if let variable = try compatibleProvider(ref).apiKeyEnv {
            apiKey = try key(variable, for: ref)
        } else if keyFiles[ref.provider] != nil {
            apiKey = try key(nil, for: ref)
        }
        return http(adapter, key: apiKey)
    }

    /// The Batch API client of `ref`'s provider (OpenAI, Anthropic, Gemini), with its key.
    public func batchClient(for ref: ModelRef) throws(ProviderError) -> any BatchClient {
        if let entry = BuiltInProvider.named(ref.provider), let makeClient = entry.makeBatchClient, let adapter = try adapter(for: ref),
           let client = makeClient(adapter, try key(entry.keyVariable, for: ref), transport) {
            return client
        }
        let batching = BuiltInProvider.all.filter { $0.makeBatchClient != nil }.map(\.name.rawValue)
        throw ProviderError(.configuration, "flow sends batches to \(batching.joined(separator: ", ")) only, not to '\(ref)': run its cases with --live")
    }

    private func compatibleProvider(_ ref: ModelRef) throws(ProviderError) -> CompatibleProvider {
        guard let configured = compatible.first(where: { $0.name == ref.provider }) else {
            throw ProviderError(.configuration, "unknown provider '\(ref.provider)'; known: \(names.map(\.rawValue).joined(separator: ", "))")
        }
        return configured
    }

    private func http(_ adapter: any ProviderAdapter, key: String?) -> any ChatProvider {
        HTTPProvider(adapter: adapter, apiKey: key, transport: transport, retry: retry, onRetry: onRetry, onWait: onWait,
                     gate: gates?.gate(provider: adapter.providerName, baseURL: adapter.baseURL))
    }

    /// The key from `variable`, else from the provider's key file. Errors name both places
    /// and never the key.
    private func key(_ variable: String?, for ref: ModelRef) throws(ProviderError) -> String {
        if let variable, let key = environment[variable], !key.isEmpty {
            Secrets.register(key)
            return key
        }
        if let path = keyFiles[ref.provider] {
            guard let data = FileManager.default.contents(atPath: path),
                  let key = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !key.isEmpty else {
                throw ProviderError(.missingKey, "the key file '\(path)' for \(ref.provider) cannot be read or is empty")
            }
            Secrets.register(key)
            return key
        }
        throw ProviderError(.missingKey, "\(variable ?? "a key") is not set: export it to run '\(ref)', or use a mock model offline")
    }

    private func base(_ variable: String) -> String? {
        environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// An OpenAI-compatible server named in the project config (Ollama, vLLM, llama.cpp, LM Studio,
/// OpenRouter).
public struct CompatibleProvider: Sendable, Equatable {
    /// The name `model:` uses (`ollama/llama3.2`).
    public var name: ProviderName
    /// The API root, `/v1` included.
    public var baseURL: String
    /// The environment variable holding the key, or nil for a server that needs none.
    public var apiKeyEnv: String?
    /// Which field carries `max_tokens` on this server.
    public var maxTokensField: OpenAIAdapter.MaxTokensField
    /// How a step's schema is asked for on this server.
    public var structuredOutput: CompatibleStructuredOutput

    /// A compatible server.
    public init(name: ProviderName, baseURL: String, apiKeyEnv: String? = nil, maxTokensField: OpenAIAdapter.MaxTokensField = .maxTokens,
                structuredOutput: CompatibleStructuredOutput = .jsonSchema) {
        self.name = name
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.maxTokensField = maxTokensField
        self.structuredOutput = structuredOutput
    }
}
