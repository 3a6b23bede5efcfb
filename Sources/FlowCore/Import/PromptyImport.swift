import Foundation
import FlowSource
import FlowYAML

/// Prompty files (`NAME.prompty`), as the Prompty specification describes them: YAML front
/// matter between `---` lines (`name`, `description`, `model` {`api`, `configuration` {`type`,
/// `azure_deployment` | `name`}, `parameters`}, `inputs` with defaults, `sample`, `template`
/// {`format`: mustache | jinja2}), then a body whose `system:`, `user:` and `assistant:` lines
/// start each message. Jinja2 bodies are translated to Mustache where Mustache can say the same.
public enum PromptyImport {
    /// The workflow for the prompty file `source`, its templates named after `name`.
    public static func convert(_ source: SourceFile, name: String) throws(DiagnosticList) -> ImportedWorkflow {
        let lines = source.text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).replacingOccurrences(of: "\r", with: "") }
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---",
              let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) else {
            throw DiagnosticList([Diagnostic(source, Mark(line: 1, column: 1), "a .prompty file starts with YAML front matter between '---' lines",
                                             hint: "put name:, model: and inputs: between a first and a second '---' line, the prompt after them")])
        }
        // The front matter keeps its line numbers: the YAML source is the whole file with the
        // body blanked, so every mark points into the .prompty file.
        let frontText = (lines[1..<end].joined(separator: "\n"))
        let front = SourceFile(path: source.path, text: "\n" + frontText)
        let root: Node?
        do { root = try YAML.load(front) } catch { throw DiagnosticList([error]) }
        var notes: [String] = []
        func note(_ line: Int, _ text: String) { notes.append("\(source.path):\(line): \(text)") }
        let known = ["name", "description", "authors", "tags", "version", "model", "inputs", "outputs", "sample", "template"]
        for pair in root?.mapping ?? [] where !known.contains(pair.key.scalar?.text ?? "") {
            note(pair.key.mark.line, "'\(pair.key.scalar?.text ?? "")' has no flow equivalent and was not carried over")
        }
        var out = ["# Imported from \(source.path) by flow import; review it, then delete this line.", "flow: 1"]
        out.append("name: " + YAMLText.quoted(root?["name"]?.scalar?.text ?? name))
        if let description = root?["description"]?.scalar?.text { out.append("description: " + YAMLText.quoted(description)) }
        out.append("model: " + YAMLText.quoted(model(root?["model"], note: note)))
        out += ImportedConversation.parameters(root?["model"]?["parameters"], names: [
            "max_tokens": "max_tokens", "max_completion_tokens": "max_tokens", "temperature": "temperature", "top_p": "top_p",
            "seed": "seed", "stop": "stop", "presence_penalty": "presence_penalty", "frequency_penalty": "frequency_penalty",
            "top_k": "top_k"]) { node, text in note(node.mark.line, text) }

        let format = root?["template"]?.scalar?.text ?? root?["template"]?["format"]?.scalar?.text ?? "jinja2"
        var messages = body(lines, from: end + 1, note: note)
        if format == "jinja2" {
            for index in messages.indices {
                messages[index].text = JinjaToMustache.translate(messages[index].text, firstLine: messages[index].textLine) { line, text in note(line, text) }
            }
        } else if format != "mustache" {
            note(root?["template"]?.mark.line ?? 1, "template format '\(format)' is read as Mustache")
        }

        // Defaults: `inputs:` defaults, else the sample's values.
        var defaults: [(String, Node)] = []
        for pair in root?["inputs"]?.mapping ?? [] {
            let key = pair.key.scalar?.text ?? ""
            if let value = pair.value["default"] ?? pair.value["sample"] ?? (pair.value.scalar != nil ? pair.value : nil) { defaults.append((key, value)) }
        }
        let sample = root?["sample"]
        if sample != nil, sample?.mapping == nil {
            note(sample!.mark.line, "a sample given as a file name or text is not read; only a mapping of variables is carried over")
        }
        let conversation = ImportedConversation(messages.map { ImportedConversation.Message(role: $0.role, text: $0.text, line: $0.line) },
                                                name: name, note: note)
        guard !conversation.steps.isEmpty else {
            throw DiagnosticList([Diagnostic(source, Mark(line: end + 2, column: 1), "the prompty body has no 'user:' message",
                                             hint: "start the user's message with a line 'user:'")])
        }
        let variables = conversation.variables
        let steps = conversation.steps
        out += conversation.lines { variable in defaults.first { $0.0 == variable }?.1 ?? sample?[variable] }
        if let pairs = sample?.mapping {
            // The sample becomes a case that checks the templates render with it and every step
            // runs; the mock answer is a stand-in, since a prompty file has no expected answer.
            out.append("tests:")
            out.append("  - name: \"the sample renders and every step runs\"")
            let used = pairs.filter { variables.contains($0.key.scalar?.text ?? "") }
            for pair in pairs where !variables.contains(pair.key.scalar?.text ?? "") {
                note(pair.key.mark.line, "sample value '\(pair.key.scalar?.text ?? "")' is not used by any message and was not carried over")
            }
            if !used.isEmpty {
                out.append("    vars: {" + used.map { ($0.key.scalar?.text ?? "") + ": " + YAMLText.value($0.value) }.joined(separator: ", ") + "}")
            }
            out.append("    mock: [" + steps.map { _ in "\"(a stand-in answer: run with --live to ask the model)\"" }.joined(separator: ", ") + "]")
            out.append("    expect:")
            out.append("      - " + conversation.pathCheck)
        }
        return ImportedWorkflow(workflow: out.joined(separator: "\n") + "\n", templates: conversation.templates, notes: notes)
    }

    /// The body's messages: a line that is only `system:`, `user:` or `assistant:` (any case)
    /// starts one.
    static func body(_ lines: [String], from start: Int, note: (Int, String) -> Void) -> [(role: String, text: String, line: Int, textLine: Int)] {
        var messages: [(role: String, text: String, line: Int, textLine: Int)] = []
        var current: [String] = []
        var role: String?
        var line = start + 1
        var textLine = line
        func close() {
            guard let role else { return }
            let text = current.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            messages.append((role, text, line, textLine))
        }
        for (offset, text) in lines[start...].enumerated() {
            let marker = text.trimmingCharacters(in: .whitespaces).lowercased()
            if ["system:", "user:", "assistant:"].contains(marker) {
                close()
                role = String(marker.dropLast())
                line = start + offset + 1
                textLine = line + 1
                current = []
            } else if role == nil, !text.trimmingCharacters(in: .whitespaces).isEmpty {
                // Text before any role marker is the system prompt, as Prompty reads it.
                role = "system"
                line = start + offset + 1
                textLine = line
                current = [text]
            } else {
                current.append(text)
            }
        }
        close()
        return messages
    }

    static func model(_ node: Node?, note: (Int, String) -> Void) -> String {
        guard let node else { return "openai/gpt-4o-mini" }
        if let api = node["api"]?.scalar?.text, api != "chat" {
            note(node["api"]!.mark.line, "api '\(api)' is not carried over: flow runs chat models")
        }
        let configuration = node["configuration"]
        let type = configuration?["type"]?.scalar?.text ?? "openai"
        let deployment = configuration?["azure_deployment"]?.scalar?.text ?? configuration?["name"]?.scalar?.text ?? configuration?["model"]?.scalar?.text
        for pair in configuration?.mapping ?? [] where ["azure_endpoint", "api_version", "api_key", "base_url", "organization"].contains(pair.key.scalar?.text ?? "") {
            note(pair.key.mark.line, "'\(pair.key.scalar?.text ?? "")' is not carried over: flow takes endpoints from the environment or flow.config.yaml, keys from the environment")
        }
        switch type {
        case "openai": return "openai/" + (deployment ?? "gpt-4o-mini")
        case "azure_openai", "azure":
            note(configuration?.mark.line ?? node.mark.line, "Azure OpenAI deployment '\(deployment ?? "?")' runs as openai/\(deployment ?? "gpt-4o-mini"): point OPENAI_BASE_URL at your Azure endpoint or configure it as a compatible server")
            return "openai/" + (deployment ?? "gpt-4o-mini")
        default:
            note(configuration?.mark.line ?? node.mark.line, "model type '\(type)' is not one flow runs; openai/gpt-4o-mini stands in")
            return "openai/gpt-4o-mini"
        }
    }
}
