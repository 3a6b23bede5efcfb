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
///   openrouter:
///     base_url: https://openrouter.ai/api/v1
///     api_key_env: OPENROUTER_API_KEY
/// ```
public struct ProjectConfig: Sendable {
    public static let fileName = "flow.config.yaml"

    public var path: String?
    public var providers: [CompatibleProvider] = []

    public init(path: String? = nil, providers: [CompatibleProvider] = []) {
        self.path = path
        self.providers = providers
    }

    /// The config that applies to a workflow in `directory`, or an empty one.
    static func find(from directory: String) throws(LoadError) -> ProjectConfig {
        var current = directory.isEmpty ? "." : directory
        for _ in 0..<8 {
            let candidate = WorkflowLoader.normalize(current + "/" + fileName)
            if FileManager.default.fileExists(atPath: candidate) { return try load(candidate) }
            if FileManager.default.fileExists(atPath: current + "/.git") { break }
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
        for pair in pairs where pair.key.scalar?.text != "providers" {
            problem(pair.key, "unknown key '\(pair.key.scalar?.text ?? "")' in \(fileName)", "known keys: providers")
        }
        for pair in root["providers"]?.mapping ?? [] {
            let name = pair.key.scalar?.text ?? ""
            guard !ProviderRegistry.builtIn.contains(name) else {
                problem(pair.key, "'\(name)' is a built-in provider", "pick another name; built-in providers take their base URL from the environment")
                continue
            }
            let keys = ["base_url", "api_key_env", "max_tokens_field"]
            for field in pair.value.mapping ?? [] where !keys.contains(field.key.scalar?.text ?? "") {
                problem(field.key, "unknown key '\(field.key.scalar?.text ?? "")' in provider '\(name)'",
                        Suggestion.hint(for: field.key.scalar?.text ?? "", in: keys) ?? "known keys: " + keys.joined(separator: ", "))
            }
            guard let base = pair.value["base_url"]?.scalar?.text, base.hasPrefix("http://") || base.hasPrefix("https://") else {
                problem(pair.value, "provider '\(name)' needs 'base_url: http(s)://host/v1'")
                continue
            }
            var provider = CompatibleProvider(name: name, baseURL: base, apiKeyEnv: pair.value["api_key_env"]?.scalar?.text)
            if let field = pair.value["max_tokens_field"] {
                guard let value = field.scalar.flatMap({ OpenAIAdapter.MaxTokensField(rawValue: $0.text) }) else {
                    problem(field, "'max_tokens_field' must be max_tokens or max_completion_tokens")
                    continue
                }
                provider.maxTokensField = value
            }
            config.providers.append(provider)
        }
        if !problems.isEmpty { throw DiagnosticList(problems) }
        return config
    }
}
