import Foundation
import FlowSource
import FlowYAML

/// GitHub Models prompt files (`NAME.prompt.yml`), as GitHub's documentation describes them:
/// `name`, `description`, `model`, `modelParameters` (`maxTokens`, `maxCompletionTokens`,
/// `temperature`, `topP`), `messages` (`role`, `content` with `{{var}}`), `testData` (rows of
/// variables, `expected` among them) and `evaluators` (`string` with `equals`, `contains`,
/// `startsWith`, `endsWith`; `uses:` built-ins). Pure: text in, workflow text out.
public enum PromptYAMLImport {
    /// The workflow for the prompt file `source`, its templates named after `name`.
    public static func convert(_ source: SourceFile, name: String) throws(DiagnosticList) -> ImportedWorkflow {
        let root: Node?
        do { root = try YAML.load(source) } catch { throw DiagnosticList([error]) }
        guard let root, root.mapping != nil else {
            throw DiagnosticList([Diagnostic(source, Mark(line: 1, column: 1), "a .prompt.yml file is a mapping with 'messages:'", hint: nil)])
        }
        var notes: [String] = []
        func note(_ node: Node, _ text: String) { notes.append("\(source.path):\(node.mark.line): \(text)") }
        let known = ["name", "description", "model", "modelParameters", "messages", "testData", "evaluators"]
        for pair in root.mapping ?? [] where !known.contains(pair.key.scalar?.text ?? "") {
            note(pair.key, "'\(pair.key.scalar?.text ?? "")' has no flow equivalent here and was not carried over")
        }
        var lines = ["# Imported from \(source.path) by flow import; review it, then delete this line.", "flow: 1"]
        lines.append("name: " + YAMLText.quoted(root["name"]?.scalar?.text ?? name))
        if let description = root["description"]?.scalar?.text { lines.append("description: " + YAMLText.quoted(description)) }
        lines.append("model: " + YAMLText.quoted(model(root["model"], note: note)))
        lines += ImportedConversation.parameters(root["modelParameters"], names: ["maxTokens": "max_tokens", "maxCompletionTokens": "max_tokens",
                                                                             "temperature": "temperature", "topP": "top_p"], note: note)

        // Messages: system turns become the system prompt, each user turn a step; a trailing
        // assistant turn is that step's prefill.
        guard let messages = root["messages"]?.sequence, !messages.isEmpty else {
            throw DiagnosticList([Diagnostic(source, root.mark, "the prompt file has no 'messages:'", hint: "add at least one {role: user, content: …}")])
        }
        let conversation = ImportedConversation(messages.map { message in
            ImportedConversation.Message(role: message["role"]?.scalar?.text ?? "", text: message["content"]?.scalar?.text ?? "", line: message.mark.line)
        }, name: name) { line, text in notes.append("\(source.path):\(line): \(text)") }
        let variables = conversation.variables
        let steps = conversation.steps
        let rows = root["testData"]?.sequence ?? []
        lines += conversation.lines { rows.first?[$0] }
        let checks = expectations(root["evaluators"], note: note)
        if !rows.isEmpty {
            lines.append("tests:")
            for (number, row) in rows.enumerated() {
                lines.append("  - name: " + YAMLText.quoted("testData row \(number + 1)"))
                // Expectation texts are templates over the case's variables, so `expected` goes
                // among them when an evaluator names it.
                let readsExpected = checks.contains { $0.contains("{{expected}}") }
                let pairs = (row.mapping ?? []).filter { pair in
                    let key = pair.key.scalar?.text ?? ""
                    return variables.contains(key) || (key == "expected" && readsExpected)
                }
                if !pairs.isEmpty {
                    lines.append("    vars: {" + pairs.map { ($0.key.scalar?.text ?? "") + ": " + YAMLText.value($0.value) }.joined(separator: ", ") + "}")
                }
                for pair in row.mapping ?? [] {
                    let key = pair.key.scalar?.text ?? ""
                    if key != "expected", !variables.contains(key) { note(pair.key, "testData column '\(key)' is not used by any message and was not carried over") }
                }
                // In mock mode the expected answer stands in for the model's: the case then checks
                // that the evaluators, as converted, accept the answer the file expects.
                if let expected = row["expected"]?.scalar?.text {
                    // With a prefill the mock, like a model, gives only what follows it.
                    let prefill = steps.last?.prefill ?? ""
                    let reply = !prefill.isEmpty && expected.hasPrefix(prefill) ? String(expected.dropFirst(prefill.count)) : expected
                    lines.append("    mock: [" + YAMLText.quoted(reply) + "]")
                } else {
                    note(row, "testData row \(number + 1) has no 'expected' answer: its case runs only with --live (or --replay after --live --record)")
                }
                lines.append("    expect:")
                lines += (checks.isEmpty ? [conversation.pathCheck] : checks).map { "      - " + $0 }
            }
        }
        return ImportedWorkflow(workflow: lines.joined(separator: "\n") + "\n", templates: conversation.templates, notes: notes)
    }

    /// GitHub Models names models `publisher/model`; flow runs OpenAI's under the same name.
    static func model(_ node: Node?, note: (Node, String) -> Void) -> String {
        guard let node, let text = node.scalar?.text else { return "openai/gpt-4o-mini" }
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        if parts.count == 1 { return "openai/" + text }
        if ["openai", "azure-openai"].contains(parts[0].lowercased()) { return "openai/" + parts[1] }
        note(node, "model '\(text)' is served by GitHub Models, which flow does not call: set model: to a provider flow runs (openai/…, anthropic/…, gemini/… or a compatible server); openai/gpt-4o-mini stands in")
        return "openai/gpt-4o-mini"
    }

    /// `string` evaluators as flow expectations (texts may name `{{expected}}`).
    static func expectations(_ node: Node?, note: (Node, String) -> Void) -> [String] {
        var checks: [String] = []
        for evaluator in node?.sequence ?? [] {
            let name = evaluator["name"]?.scalar?.text ?? "an evaluator"
            if let uses = evaluator["uses"]?.scalar?.text {
                note(evaluator, "evaluator '\(name)' uses the built-in '\(uses)', which flow has no equivalent of (it is model-graded or similarity-based): not carried over")
                continue
            }
            guard let string = evaluator["string"]?.mapping else {
                note(evaluator, "evaluator '\(name)' is not a string check and was not carried over")
                continue
            }
            for pair in string {
                let value = pair.value.scalar?.text ?? ""
                switch pair.key.scalar?.text ?? "" {
                case "equals": checks.append("{equals: " + YAMLText.quoted(value) + "}")
                case "contains": checks.append("{contains: " + YAMLText.quoted(value) + "}")
                case "startsWith": checks.append("{matches: " + YAMLText.quoted("^" + YAMLText.literalPattern(value)) + "}")
                case "endsWith": checks.append("{matches: " + YAMLText.quoted(YAMLText.literalPattern(value) + "$") + "}")
                default: note(pair.key, "string check '\(pair.key.scalar?.text ?? "")' of evaluator '\(name)' has no flow equivalent and was not carried over")
                }
            }
        }
        return checks
    }
}

/// The variables a set of Mustache templates reads, in first-use order (top-level names only).
enum TemplateNames {
    static func variables(in templates: [String]) -> [String] {
        var names: [String] = []
        for template in templates {
            var rest = Substring(template)
            while let open = rest.range(of: "{{") {
                rest = rest[open.upperBound...]
                guard let close = rest.range(of: "}}") else { break }
                var tag = rest[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                rest = rest[close.upperBound...]
                if let first = tag.first, "#^&{".contains(first) { tag.removeFirst() }
                tag = tag.trimmingCharacters(in: .whitespaces)
                guard let first = tag.first, first.isLetter || first == "_" else { continue }
                let name = String(tag.split(separator: ".").first ?? "")
                if !names.contains(name) { names.append(name) }
            }
        }
        return names
    }
}
