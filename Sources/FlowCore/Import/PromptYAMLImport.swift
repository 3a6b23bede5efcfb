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
        func noteLine(_ line: Int, _ text: String) { notes.append("\(source.path):\(line): \(text)") }
        let known = ["name", "description", "model", "modelParameters", "messages", "testData", "evaluators", "responseFormat", "jsonSchema"]
        for pair in root.mapping ?? [] where !known.contains(pair.key.scalar?.text ?? "") {
            note(pair.key, "'\(pair.key.scalar?.text ?? "")' has no flow equivalent here and was not carried over")
        }
        var lines = ["# Imported from \(source.path) by flow import; review it, then delete this line.", "flow: 1"]
        lines.append("name: " + YAMLText.quoted(root["name"]?.scalar?.text ?? name))
        if let description = root["description"]?.scalar?.text { lines.append("description: " + YAMLText.quoted(description)) }
        lines.append("model: " + YAMLText.quoted(model(root["model"], note: note)))
        lines += ImportedConversation.paramsLine(ImportedConversation.parameters(root["modelParameters"], names: [
            "maxTokens": "max_tokens", "maxCompletionTokens": "max_tokens", "temperature": "temperature", "topP": "top_p"], note: noteLine))

        // Messages: system turns become the system prompt, each user turn a step; a trailing
        // assistant turn is that step's prefill.
        guard let messages = root["messages"]?.sequence, !messages.isEmpty else {
            throw DiagnosticList([Diagnostic(source, root.mark, "the prompt file has no 'messages:'", hint: "add at least one {role: user, content: …}")])
        }
        var conversation = ImportedConversation(messages.map { message in
            ImportedConversation.Message(role: message["role"]?.scalar?.text ?? "", text: message["content"]?.scalar?.text ?? "", line: message.mark.line)
        }, name: name, note: noteLine)
        guard !conversation.steps.isEmpty else {
            throw DiagnosticList([Diagnostic(source, root["messages"]!.mark, "the prompt file has no user message", hint: "add {role: user, content: …}")])
        }
        let shape = try responseShape(root, source: source, note: noteLine)
        conversation.steps[conversation.steps.count - 1].extra = shape.stepLines
        let variables = conversation.variables
        let steps = conversation.steps
        let rows = root["testData"]?.sequence ?? []
        lines += conversation.lines { rows.first?[$0].map(YAMLText.value) }
        let checks = expectations(root["evaluators"], note: note)
        // Expectation texts are templates over the case's variables, so the columns an
        // evaluator names (`{{expected}}`, say) go among them.
        let read = Set(variables + TemplateNames.variables(in: checks))
        if !rows.isEmpty {
            lines.append("tests:")
            for (number, row) in rows.enumerated() {
                lines.append("  - name: " + YAMLText.quoted("testData row \(number + 1)"))
                var pairs = (row.mapping ?? []).filter { read.contains($0.key.scalar?.text ?? "") }.map { ($0.key.scalar?.text ?? "") + ": " + YAMLText.value($0.value) }
                for variable in variables where row[variable] == nil {
                    pairs.append(variable + ": \"\"")
                    note(row, "testData row \(number + 1) gives no '\(variable)'; its case passes \"\"")
                }
                if !pairs.isEmpty { lines.append("    vars: {" + pairs.joined(separator: ", ") + "}") }
                for pair in row.mapping ?? [] where !read.contains(pair.key.scalar?.text ?? "") && pair.key.scalar?.text != "expected" {
                    note(pair.key, "testData column '\(pair.key.scalar?.text ?? "")' is not used by any message or evaluator and was not carried over")
                }
                // In mock mode the expected answer stands in for the model's: the case then checks
                // that the evaluators, as converted, accept the answer the file expects.
                if let expected = row["expected"]?.scalar?.text {
                    // With a prefill the mock, like a model, gives only what follows it.
                    let prefill = steps.last?.prefill ?? ""
                    let reply = !prefill.isEmpty && expected.hasPrefix(prefill) ? String(expected.dropFirst(prefill.count)) : expected
                    lines.append("    mock: [" + YAMLText.quoted(reply) + "]")
                    lines.append("    expect:")
                    lines += (checks.isEmpty ? [conversation.pathCheck] : checks).map { "      - " + $0 }
                } else {
                    // No expected answer: offline, a stand-in answer checks the prompt renders and
                    // every step runs; the evaluators need the model's answer.
                    lines.append("    mock: [" + steps.indices.map { $0 == steps.count - 1 ? shape.standIn : YAMLText.quoted("(a stand-in answer)") }.joined(separator: ", ") + "]")
                    lines.append("    expect:")
                    lines.append("      - " + conversation.pathCheck)
                    if !checks.isEmpty {
                        note(row, "testData row \(number + 1) has no 'expected' answer: offline its case checks only that every step runs; record the model's answer with flow test --live --record and add the evaluators' checks to it")
                    }
                }
            }
        }
        return ImportedWorkflow(workflow: lines.joined(separator: "\n") + "\n", files: conversation.templates, notes: notes,
                                required: variables.filter { rows.first?[$0] == nil })
    }

    /// `responseFormat: json_object` or `json_schema` with `jsonSchema` (a JSON text or a
    /// mapping, `{name, strict, schema}` as OpenAI's response_format holds it, or the schema itself).
    static func responseShape(_ root: Node, source: SourceFile, note: (Int, String) -> Void) throws(DiagnosticList) -> OutputShape {
        guard let format = root["responseFormat"]?.scalar?.text else { return OutputShape() }
        switch format {
        case "text": return OutputShape()
        case "json_object":
            var shape = OutputShape()
            shape.json()
            return shape
        case "json_schema":
            guard let node = root["jsonSchema"] else {
                throw DiagnosticList([Diagnostic(source, root["responseFormat"]!.mark, "responseFormat json_schema needs a jsonSchema", hint: "add jsonSchema: with the schema")])
            }
            var schema = node
            if let text = node.scalar?.text {
                do {
                    guard let parsed = try YAML.load(SourceFile(path: source.path, text: text)) else { throw DiagnosticList([]) }
                    schema = parsed
                } catch {
                    throw DiagnosticList([Diagnostic(source, node.mark, "jsonSchema is not JSON: \(error)", hint: nil)])
                }
            }
            return OutputShape(schema: schema["schema"] ?? schema)
        default:
            note(root["responseFormat"]!.mark.line, "responseFormat '\(format)' has no flow equivalent and was not carried over")
            return OutputShape()
        }
    }

    /// GitHub Models names models `publisher/model`; flow runs OpenAI's under the same name.
    static func model(_ node: Node?, note: (Node, String) -> Void) -> String {
        guard let node, let text = node.scalar?.text else { return "openai/gpt-4o-mini" }
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        if parts.count == 1 { return "openai/" + text }
        if ["openai", "azure-openai"].contains(parts[0].lowercased()) { return "openai/" + parts[1] }
        if parts[0].lowercased() == "anthropic" { return "anthropic/" + parts[1] }
        if ["google", "gemini"].contains(parts[0].lowercased()) { return "gemini/" + parts[1] }
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
