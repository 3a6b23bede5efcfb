import FlowYAML

/// A Prompty `model:` as a flow model and params. Prompty 1 writes `{api, configuration: {type,
/// azure_deployment | name}, parameters: {max_tokens, …}}`; Prompty 2 writes `{id, provider,
/// apiType, connection, options: {maxOutputTokens, topP, stopSequences, …}}`. Every key is read,
/// mapped or listed; `${env:NAME}` and `${env:NAME:default}` references, which Prompty resolves
/// when it runs, are never written as a model name.
struct PromptyModel {
    var model = "openai/gpt-4o-mini"
    /// Flow `params:` entries, as `key: value` text.
    var params: [String] = []
    /// `response_format` (Prompty 1 parameter), for the step's `schema:` or `parse: json`.
    var responseFormat: Node?

    static let version1Names = ["max_tokens": "max_tokens", "max_completion_tokens": "max_tokens", "temperature": "temperature",
                                "top_p": "top_p", "seed": "seed", "stop": "stop", "presence_penalty": "presence_penalty",
                                "frequency_penalty": "frequency_penalty", "top_k": "top_k"]
    static let version2Names = ["maxOutputTokens": "max_tokens", "temperature": "temperature", "topP": "top_p", "topK": "top_k",
                                "seed": "seed", "stopSequences": "stop", "presencePenalty": "presence_penalty",
                                "frequencyPenalty": "frequency_penalty"]

    /// `${env:NAME}` or `${env:NAME:default}` → (NAME, default).
    static func environmentReference(_ text: String) -> (name: String, fallback: String?)? {
        guard let match = text.wholeMatch(of: /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/) else { return nil }
        return (String(match.1), match.2.map(String.init))
    }

    init(_ node: Node?, note: (Int, String) -> Void) {
        guard let node else { return }
        if let text = node.scalar?.text {
            model = Self.name(text, provider: "openai", at: node.mark.line, note: note)
            return
        }
        let known = ["api", "configuration", "parameters", "response", "id", "provider", "apiType", "connection", "options"]
        for pair in node.mapping ?? [] where !known.contains(pair.key.scalar?.text ?? "") {
            note(pair.key.mark.line, "model key '\(pair.key.scalar?.text ?? "")' has no flow equivalent and was not carried over")
        }
        if let api = (node["api"] ?? node["apiType"])?.scalar?.text, api != "chat" {
            note((node["api"] ?? node["apiType"])!.mark.line, "api '\(api)' is not carried over: flow runs chat models")
        }
        if let response = node["response"]?.scalar?.text, response != "first" {
            note(node["response"]!.mark.line, "response '\(response)' is not carried over: a flow step keeps the first choice")
        }
        for key in ["configuration", "connection"] {
            for pair in node[key]?.mapping ?? [] {
                let name = pair.key.scalar?.text ?? ""
                guard !["type", "kind", "azure_deployment", "name", "model"].contains(name) else { continue }
                note(pair.key.mark.line, "'\(name)' is not carried over: flow takes endpoints from the environment or flow.config.yaml (providers:), keys from the environment")
            }
        }
        if let id = node["id"] {
            // Prompty 2.
            model = Self.name(id.scalar?.text ?? "", provider: node["provider"]?.scalar?.text ?? "openai", at: id.mark.line, note: note)
            params = ImportedConversation.parameters(node["options"], names: Self.version2Names, note: note)
        } else {
            let configuration = node["configuration"]
            let deployment = configuration?["azure_deployment"] ?? configuration?["name"] ?? configuration?["model"]
            model = Self.name(deployment?.scalar?.text ?? "gpt-4o-mini", provider: configuration?["type"]?.scalar?.text ?? "openai",
                              at: (deployment ?? configuration ?? node).mark.line, note: note)
            var parameters = node["parameters"]
            if let format = parameters?["response_format"] { responseFormat = format }
            for key in ["tools", "tool_choice"] {
                guard let tools = parameters?[key] else { continue }
                note(tools.mark.line, "'\(key)' is not carried over: a flow tool runs a command (tools: {name: {description, parameters, run}}); declare each one with the program that answers it")
            }
            parameters = parameters.map { node in
                var copy = node
                if case .mapping(let pairs) = node.content {
                    copy.content = .mapping(pairs.filter { !["response_format", "tools", "tool_choice"].contains($0.key.scalar?.text ?? "") })
                }
                return copy
            }
            params = ImportedConversation.parameters(parameters, names: Self.version1Names, note: note)
        }
    }

    /// `provider` + model name as a flow model, the name's `${env:…}` resolved to its default or
    /// listed with a stand-in.
    static func name(_ raw: String, provider: String, at line: Int, note: (Int, String) -> Void) -> String {
        var name = raw
        if let reference = environmentReference(raw) {
            guard let fallback = reference.fallback, !fallback.isEmpty else {
                note(line, "the model name comes from the environment variable \(reference.name) when Prompty runs; flow needs it written: openai/gpt-4o-mini stands in, set model: to the deployment you run")
                return "openai/gpt-4o-mini"
            }
            note(line, "the model name is ${env:\(reference.name)}, whose default '\(fallback)' is written here; flow does not read a model name from the environment")
            name = fallback
        }
        if name.isEmpty || name == "auto" {
            note(line, "model '\(raw)' leaves the choice to the runtime; flow needs one written: openai/gpt-4o-mini stands in")
            return "openai/gpt-4o-mini"
        }
        switch provider.lowercased() {
        case "openai": return "openai/" + name
        case "azure", "azure_openai", "azure-openai", "foundry":
            note(line, "Azure OpenAI deployment '\(name)' runs as openai/\(name): point OPENAI_BASE_URL at your Azure endpoint or configure it as a compatible server")
            return "openai/" + name
        case "anthropic": return "anthropic/" + name
        case "gemini", "google": return "gemini/" + name
        default:
            note(line, "model provider '\(provider)' is not one flow runs; openai/gpt-4o-mini stands in (an OpenAI-compatible server goes in flow.config.yaml)")
            return "openai/gpt-4o-mini"
        }
    }
}
