import Foundation
import FlowYAML

/// promptfoo provider ids as flow models: `openai:chat:gpt-4o-mini` (or `openai:gpt-4o-mini`) is
/// `openai/gpt-4o-mini`, `anthropic:messages:…` `anthropic/…`, `google:…`/`vertex:…` `gemini/…`,
/// `ollama:chat:…` a compatible server `ollama` on Ollama's OpenAI-compatible endpoint, and an
/// `openai:…` with `apiBaseUrl` a compatible server of its own. Servers go in flow.config.yaml.
struct PromptfooProvider {
    var model: String
    /// Flow `params:` entries.
    var params: [String] = []
    /// A compatible server the model needs: name → base URL.
    var server: (name: String, baseURL: String)?
    var label: String
    var responseFormat: Node?

    static let parameterNames = ["temperature": "temperature", "max_tokens": "max_tokens", "max_completion_tokens": "max_tokens",
                                 "top_p": "top_p", "top_k": "top_k", "stop": "stop", "seed": "seed",
                                 "frequency_penalty": "frequency_penalty", "presence_penalty": "presence_penalty",
                                 "maxOutputTokens": "max_tokens", "topP": "top_p", "topK": "top_k", "stopSequences": "stop",
                                 "num_predict": "max_tokens", "reasoning_effort": "reasoning_effort"]

    /// Every provider of `node` (a string, a list of ids or `{id, label, config}`, or `{id: {config}}` maps).
    static func all(_ node: Node?, note: (Int, String) -> Void) -> [PromptfooProvider] {
        var entries: [(String, Node?, String?, Int)] = []
        func add(_ item: Node) {
            if let id = item.scalar?.text { entries.append((id, nil, nil, item.mark.line)); return }
            if let id = item["id"]?.scalar?.text {
                entries.append((id, item["config"], item["label"]?.scalar?.text, item.mark.line))
                for pair in item.mapping ?? [] where !["id", "config", "label"].contains(pair.key.scalar?.text ?? "") {
                    note(pair.key.mark.line, "provider key '\(pair.key.scalar?.text ?? "")' has no flow equivalent and was not carried over")
                }
                return
            }
            if let pairs = item.mapping, pairs.count == 1, let id = pairs[0].key.scalar?.text {
                entries.append((id, pairs[0].value["config"], pairs[0].value["label"]?.scalar?.text, item.mark.line))
                return
            }
            note(item.mark.line, "a provider flow cannot read was not carried over")
        }
        if let items = node?.sequence { items.forEach(add) } else if let node { add(node) }
        return entries.map { PromptfooProvider(id: $0.0, config: $0.1, label: $0.2, line: $0.3, note: note) }
    }

    init(id: String, config: Node?, label: String?, line: Int, note: (Int, String) -> Void) {
        self.label = label ?? id
        let parts = id.split(separator: ":", maxSplits: 2).map(String.init)
        let kind = parts.first?.lowercased() ?? ""
        // `openai:chat:M`, `openai:M`: the model is the last part (model names may hold ':').
        var modelName = parts.count >= 3 && ["chat", "messages", "completion", "responses", "embedding"].contains(parts[1]) ? parts[2]
            : parts.dropFirst().joined(separator: ":")
        if modelName.isEmpty, ["openai", "azure", "azureopenai", "anthropic", "google", "vertex", "gemini", "ollama"].contains(kind) {
            // A bare `openai` is promptfoo's default model of that provider, which is its to change.
            let standIn = ["anthropic": "claude-sonnet-4-5", "google": "gemini-2.5-flash", "vertex": "gemini-2.5-flash", "gemini": "gemini-2.5-flash", "ollama": "llama3.2"][kind] ?? "gpt-4o-mini"
            note(line, "provider '\(id)' names no model (promptfoo picks its default): \(standIn) stands in; name the model in the workflow")
            modelName = standIn
        }
        let baseURL = (config?["apiBaseUrl"] ?? config?["apiHost"] ?? config?["baseUrl"])?.scalar?.text
        switch kind {
        case "openai" where baseURL != nil:
            let host = URL(string: baseURL!)?.host ?? "local"
            let name = host == "localhost" || host == "127.0.0.1" ? "local" : host.split(separator: ".").first.map(String.init) ?? "local"
            let url = baseURL!.hasPrefix("http") ? baseURL! : "https://" + baseURL! + "/v1"
            server = (name.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }, url)
            model = server!.name + "/" + modelName
        case "openai": model = "openai/" + modelName
        case "azure", "azureopenai":
            note(line, "Azure OpenAI deployment '\(modelName)' runs as openai/\(modelName): point OPENAI_BASE_URL at your Azure endpoint or configure it as a compatible server")
            model = "openai/" + modelName
        case "anthropic": model = "anthropic/" + modelName
        case "google", "vertex", "gemini":
            if kind == "vertex" { note(line, "Vertex AI '\(modelName)' runs on the Gemini API as gemini/\(modelName) (GEMINI_API_KEY)") }
            model = "gemini/" + modelName.replacingOccurrences(of: "models/", with: "")
        case "ollama":
            server = ("ollama", baseURL.map { $0.hasSuffix("/v1") ? $0 : $0 + "/v1" } ?? "http://localhost:11434/v1")
            model = "ollama/" + modelName
        default:
            note(line, "provider '\(id)' is not one flow runs (flow runs OpenAI, Anthropic, Gemini and OpenAI-compatible servers); openai/gpt-4o-mini stands in")
            model = "openai/gpt-4o-mini"
        }
        for pair in config?.mapping ?? [] {
            let key = pair.key.scalar?.text ?? ""
            if let flowName = Self.parameterNames[key] {
                if flowName == "reasoning_effort", let effort = pair.value.scalar?.text {
                    params.append("reasoning: {effort: " + YAMLText.quoted(effort) + "}")
                } else {
                    params.append(flowName + ": " + YAMLText.value(pair.value))
                }
            } else if key == "response_format" {
                responseFormat = pair.value
            } else if key == "generationConfig" {
                params += ImportedConversation.parameters(pair.value, names: Self.parameterNames, note: note)
            } else if ["apiBaseUrl", "apiHost", "baseUrl"].contains(key) {
                continue
            } else if ["apiKey", "apiKeyEnvar"].contains(key) {
                note(pair.key.mark.line, "'\(key)' is not carried over: flow reads keys from the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, or the server's api_key_env)")
            } else {
                note(pair.key.mark.line, "provider option '\(key)' has no flow equivalent and was not carried over")
            }
        }
    }
}
