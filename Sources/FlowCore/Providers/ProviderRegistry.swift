import Foundation

/// Builds providers from `provider/model` references, the environment and the project config.
/// An explicit table: every built-in name has a case here (a test checks each resolves).
public struct ProviderRegistry: Sendable {
    /// The providers flow knows without configuration.
    public static let builtIn = ProviderKind.allCases.map(\.rawValue)

    /// Where keys and base URLs are read.
    public var environment: [String: String]
    /// How requests are sent.
    public var transport: any HTTPTransport
    /// The OpenAI-compatible servers of flow.config.yaml.
    public var compatible: [CompatibleProvider]
    /// Files holding keys, by provider name, read when the key's variable is unset.
    public var keyFiles: [String: String]
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
    private let mock: MockProvider

    /// A registry; `mockReplies` are what `mock/…` models answer.
    public init(environment: [String: String], transport: any HTTPTransport, mockReplies: [MockReply],
                compatible: [CompatibleProvider] = [], keyFiles: [String: String] = [:], retry: RetryPolicy = .default,
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

    /// Every provider name a workflow may use here.
    public var names: [String] { Self.builtIn + compatible.map(\.name) }

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
        guard let kind = ProviderKind(rawValue: ref.provider) else {
            let configured = try compatibleProvider(ref)
            return OpenAIAdapter(providerName: configured.name, baseURL: configured.baseURL, maxTokensField: configured.maxTokensField,
                                 structuredOutput: configured.structuredOutput)
        }
        let base = kind.baseURLVariable.flatMap(base)
        switch kind {
        case .mock: return nil
        case .openai where OpenAIResponsesAdapter.requiresResponses(ref.name), .openaiResponses:
            // The models only the Responses API serves go there from openai/ too.
            return OpenAIResponsesAdapter(baseURL: base ?? OpenAIAdapter.defaultBaseURL)
        case .openai: return OpenAIAdapter(baseURL: base ?? OpenAIAdapter.defaultBaseURL)
        case .anthropic: return AnthropicAdapter(baseURL: base ?? AnthropicAdapter.defaultBaseURL)
        case .gemini: return GeminiAdapter(baseURL: base ?? GeminiAdapter.defaultBaseURL)
        }
    }

    private func resolve(_ ref: ModelRef) throws(ProviderError) -> any ChatProvider {
        guard let adapter = try adapter(for: ref) else { return mock }
        var apiKey: String?
        if let variable = ProviderKind(rawValue: ref.provider)?.keyVariable {
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
        switch (try adapter(for: ref), ProviderKind(rawValue: ref.provider)) {
        case (let openAI as OpenAIAdapter, .openai?):
            return OpenAIBatches(adapter: openAI, apiKey: try key(ProviderKind.openai.keyVariable, for: ref), transport: transport)
        case (let anthropic as AnthropicAdapter, .anthropic?):
            return AnthropicBatches(adapter: anthropic, apiKey: try key(ProviderKind.anthropic.keyVariable, for: ref), transport: transport)
        case (let gemini as GeminiAdapter, .gemini?):
            return GeminiBatches(adapter: gemini, apiKey: try key(ProviderKind.gemini.keyVariable, for: ref), transport: transport)
        default:
            throw ProviderError(.configuration, "flow sends batches to openai, anthropic and gemini only, not to '\(ref.provider)': run its cases with --live")
        }
    }

    private func compatibleProvider(_ ref: ModelRef) throws(ProviderError) -> CompatibleProvider {
        guard let configured = compatible.first(where: { $0.name == ref.provider }) else {
            throw ProviderError(.configuration, "unknown provider '\(ref.provider)'; known: \(names.joined(separator: ", "))")
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
    public var name: String
    /// The API root, `/v1` included.
    public var baseURL: String
    /// The environment variable holding the key, or nil for a server that needs none.
    public var apiKeyEnv: String?
    /// Which field carries `max_tokens` on this server.
    public var maxTokensField: OpenAIAdapter.MaxTokensField
    /// How a step's schema is asked for on this server.
    public var structuredOutput: CompatibleStructuredOutput

    /// A compatible server.
    public init(name: String, baseURL: String, apiKeyEnv: String? = nil, maxTokensField: OpenAIAdapter.MaxTokensField = .maxTokens,
                structuredOutput: CompatibleStructuredOutput = .jsonSchema) {
        self.name = name
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.maxTokensField = maxTokensField
        self.structuredOutput = structuredOutput
    }
}
