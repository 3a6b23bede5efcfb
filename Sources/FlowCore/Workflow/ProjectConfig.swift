import Foundation
import FlowSource
import FlowYAML

/// The project's `flow.config.yaml`, found in the workflow's directory or above it (up to the
/// repository root). It names OpenAI-compatible providers:
///
/// ```yaml
/// providers:
///   ollama:
///     base_url: http://localhost:11434/v1
///     max_tokens_field: max_tokens      # or max_completion_tokens
///     structured_output: json_schema    # or json_object, prompt: how a step's schema is asked for
///   openrouter:
///     base_url: https://openrouter.ai/api/v1
///     api_key_env: OPENROUTER_API_KEY
/// key_files:                            # read when the key's variable is unset
///   anthropic: ~/.config/flow/anthropic.key
/// rate_limits:                          # never exceeded, per provider or per model
///   openai: {rpm: 500, tpm: 200000}
///   anthropic/claude-haiku-4-5: {rpm: 50}
/// ```
public struct ProjectConfig: Sendable {
    /// The keys the file may have, and each compatible provider (also read by `flow schema --config`).
    static let topKeys = ["providers", "key_files", "rate_limits", "mcp"]
    static let providerKeys = ["base_url", "api_key_env", "max_tokens_field", "structured_output"]
    /// The config file's name, looked for in the workflow's directory and above.
    public static let fileName = "flow.config.yaml"

    /// The config file read, or nil when there is none.
    public var path: String?
    /// The OpenAI-compatible servers it names.
    public var providers: [CompatibleProvider] = []
    /// Key files by provider name, as absolute or config-relative paths resolved at load.
    public var keyFiles: [ProviderName: String] = [:]
    /// Declared rate limits by `provider` or `provider/model`.
    public var rateLimits: [String: DeclaredLimits] = [:]
    /// MCP servers every workflow of the project may take tools from; a workflow's own server
    /// of the same name takes its place.
    public var mcp: [MCPServer] = []

    /// A config with `providers`.
    public init(path: String? = nil, providers: [CompatibleProvider] = []) {
        self.path = path
        self.providers = providers
    }

    /// The config that applies to a workflow in `directory`, or an empty one.
    static func find(from directory: String) throws(LoadError) -> ProjectConfig {
        var current = directory.isEmpty ? "." : directory
        for _ in 0..<8 {
            let candidate = WorkflowLoader.normalize(current + "/" + fileName)
            if access(candidate, F_OK) == 0 { return try load(candidate) }
            if access(current + "/.git", F_OK) == 0 { break }
            current = WorkflowLoader.normalize(current + "/..")
        }
        return ProjectConfig()
    }

    static func load(_ path: String) throws(LoadError) -> ProjectConfig {
        let bytes = try WorkflowLoader.read(path, referencedAt: nil, from: nil)
        let source = try WorkflowLoader.sourceFile(path: path, bytes: bytes)
        return try WorkflowLoader.decodeYAML(source) { root throws(DiagnosticList) in try decode(root, source: source) }
    }

    /// Pure: the config from its YAML tree.
    static func decode(_ root: Node?, source: SourceFile) throws(DiagnosticList) -> ProjectConfig {
        var config = ProjectConfig(path: source.path)
        var problems: [Diagnostic] = []
        func problem(_ node: Node, _ message: String, _ hint: String? = nil) {
            problems.append(Diagnostic(source, node.mark, message, hint: hint))
        }
        guard let root else { return config }
        guard let pairs = root.mapping else {
            throw DiagnosticList([Diagnostic(source, root.mark, "the config must be a mapping with 'providers:'")])
        }
        let topKeys = Self.topKeys
        for pair in pairs where !topKeys.contains(pair.key.scalar?.text ?? "") {
            problem(pair.key, "unknown key '\(pair.key.scalar?.text ?? "")' in \(fileName)",
                    Suggestion.hint(for: pair.key.scalar?.text ?? "", in: topKeys) ?? "known keys: " + topKeys.joined(separator: ", "))
        }
        let directory = PathText.directory(of: source.path)
        for pair in root["key_files"]?.mapping ?? [] {
            guard let name = pair.key.scalar?.text, let path = pair.value.scalar?.text, !path.isEmpty else {
                problem(pair.value, "key_files maps a provider name to a file path")
                continue
            }
            let expanded = (path as NSString).expandingTildeInPath
            config.keyFiles[ProviderName(name)] = expanded.hasPrefix("/") || directory.isEmpty ? expanded : directory + "/" + expanded
        }
        for pair in root["providers"]?.mapping ?? [] {
            let name = pair.key.scalar?.text ?? ""
            guard !ProviderRegistry.builtIn.contains(ProviderName(name)) else {
                problem(pair.key, "'\(name)' is a built-in provider", "pick another name; built-in providers take their base URL from the environment")
                continue
            }
            let keys = Self.providerKeys
            if pair.value.mapping == nil { problem(pair.value, "provider '\(name)' must be a mapping with 'base_url:'") }
            for field in pair.value.mapping ?? [] where !keys.contains(field.key.scalar?.text ?? "") {
                problem(field.key, "unknown key '\(field.key.scalar?.text ?? "")' in provider '\(name)'",
                        Suggestion.hint(for: field.key.scalar?.text ?? "", in: keys) ?? "known keys: " + keys.joined(separator: ", "))
            }
            guard let base = pair.value["base_url"]?.scalar?.text, base.hasPrefix("http://") || base.hasPrefix("https://") else {
                problem(pair.value, "provider '\(name)' needs 'base_url: http(s)://host/v1'")
                continue
            }
            var provider = CompatibleProvider(name: ProviderName(name), baseURL: base, apiKeyEnv: pair.value["api_key_env"]?.scalar?.text)
            if let field = pair.value["max_tokens_field"] {
                guard let value = field.scalar.flatMap({ OpenAIAdapter.MaxTokensField(rawValue: $0.text) }) else {
                    problem(field, "'max_tokens_field' must be max_tokens or max_completion_tokens")
                    continue
                }
                provider.maxTokensField = value
            }
            if let field = pair.value["structured_output"] {
                guard let value = field.scalar.flatMap({ CompatibleStructuredOutput(rawValue: $0.text) }) else {
                    problem(field, "'structured_output' must be one of: " + CompatibleStructuredOutput.allCases.map(\.rawValue).joined(separator: ", "))
                    continue
                }
                provider.structuredOutput = value
            }
            config.providers.append(provider)
        }
        if let node = root["rate_limits"] {
            config.rateLimits = rateLimits(node, known: (ProviderRegistry.builtIn + config.providers.map(\.name)).map(\.rawValue), problem: problem)
        }
        if let node = root["mcp"] {
            var decoder = WorkflowDecoder(source: source)
            config.mcp = decoder.mcpServers(node)
            problems += decoder.diagnostics
        }
        if !problems.isEmpty { throw DiagnosticList(problems) }
        return config
    }

    /// `rate_limits:`: `provider` or `provider/model` to `{rpm, tpm}`, each a positive number.
    static func rateLimits(_ node: Node, known: [String], problem: (Node, String, String?) -> Void) -> [String: DeclaredLimits] {
        guard let pairs = node.mapping else {
            problem(node, "rate_limits maps a provider or provider/model to {rpm: N, tpm: N}", nil)
            return [:]
        }
        var limits: [String: DeclaredLimits] = [:]
        for pair in pairs {
            let name = pair.key.scalar?.text ?? ""
            let provider = String(name.prefix { $0 != "/" })
            guard known.contains(provider) else {
                problem(pair.key, "rate_limits names the unknown provider '\(provider)'",
                        Suggestion.hint(for: provider, in: known) ?? "known providers: " + known.joined(separator: ", "))
                continue
            }
            guard let fields = pair.value.mapping, !fields.isEmpty else {
                problem(pair.value, "rate_limits.\(name) needs rpm: and/or tpm: (requests and input tokens per minute)", nil)
                continue
            }
            var declared = DeclaredLimits()
            for field in fields {
                let key = field.key.scalar?.text ?? ""
                guard key == "rpm" || key == "tpm" else {
                    problem(field.key, "unknown key '\(key)' in rate_limits.\(name)", Suggestion.hint(for: key, in: ["rpm", "tpm"]) ?? "known keys: rpm, tpm")
                    continue
                }
                guard let value = field.value.scalar.flatMap({ Double($0.text) }), value.isFinite, value > 0 else {
                    problem(field.value, "rate_limits.\(name).\(key) must be a positive number per minute", nil)
                    continue
                }
                if key == "rpm" { declared.rpm = value } else { declared.tpm = value }
            }
            limits[name] = declared
        }
        return limits
    }
}
