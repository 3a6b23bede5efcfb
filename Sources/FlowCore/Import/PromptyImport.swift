import Foundation
import FlowSource
import FlowYAML

/// Prompty files (`NAME.prompty`), versions 1 and 2 of the format, read as Prompty itself reads
/// them: YAML front matter between `---` lines (blank lines before it and CRLF line endings
/// allowed), then a body (or Prompty 2's `instructions:`) whose role lines start each message.
/// Jinja2 bodies become Mustache where Mustache says exactly the same; anything else stops the
/// import at its line, since a workflow that sends another prompt than the original is worse than
/// none. Pure: the text and a reader for files the front matter names (`${file:…}`) in, text out.
public enum PromptyImport {
    /// The workflow for the prompty file `source`, its templates named after `name`; `readFile`
    /// reads a path relative to the prompty file.
    public static func convert(_ source: SourceFile, name: String,
                               readFile: (String) -> String? = { _ in nil }) throws(DiagnosticList) -> ImportedWorkflow {
        var text = source.text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func refusal(_ line: Int, _ message: String, hint: String? = nil) -> DiagnosticList {
            DiagnosticList([Diagnostic(source, Mark(line: line, column: 1), message, hint: hint)])
        }
        let start = lines.firstIndex { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? 0
        guard lines.indices.contains(start), lines[start].trimmingCharacters(in: .whitespaces) == "---",
              let end = lines[(start + 1)...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) else {
            throw refusal(start + 1, "a .prompty file starts with YAML front matter between '---' lines",
                          hint: "put name:, model: and inputs: between a first and a second '---' line, the prompt after them")
        }
        // The front matter keeps its line numbers: blank lines stand in for what comes before it.
        let front = SourceFile(path: source.path, text: String(repeating: "\n", count: start + 1) + lines[(start + 1)..<end].joined(separator: "\n"))
        let root: Node?
        do { root = try YAML.load(front) } catch { throw DiagnosticList([error]) }
        var notes: [String] = []
        func note(_ line: Int, _ text: String) { notes.append("\(source.path):\(line): \(text)") }
        let known = ["name", "description", "authors", "tags", "version", "metadata", "kind", "id", "model", "inputs", "outputs",
                     "sample", "template", "instructions", "inputSchema"]
        for pair in root?.mapping ?? [] where !known.contains(pair.key.scalar?.text ?? "") {
            note(pair.key.mark.line, "'\(pair.key.scalar?.text ?? "")' has no flow equivalent and was not carried over")
        }
        let model = PromptyModel(root?["model"], note: note)
        var out = ["# Imported from \(source.path) by flow import; review it, then delete this line.", "flow: 1"]
        out.append("name: " + YAMLText.quoted(root?["name"]?.scalar?.text ?? name))
        if let description = root?["description"]?.scalar?.text { out.append("description: " + YAMLText.quoted(description)) }
        out.append("model: " + YAMLText.quoted(model.model))
        out += ImportedConversation.paramsLine(model.params)

        // Newer Prompty files write the list of inputs as `inputSchema: {properties: […]}`.
        let inputs = PromptyInputs(root?["inputs"] ?? root?["inputSchema"]?["properties"], note: note)
        let sample = try PromptyInputs.sample(root?["sample"], in: source, readFile: readFile, note: note)
        let templateNode = root?["template"]
        let format = templateNode?.scalar?.text ?? templateNode?["format"]?.scalar?.text ?? templateNode?["format"]?["kind"]?.scalar?.text ?? "jinja2"
        var body = PromptyBody.messages(Array(lines[(end + 1)...]), firstLine: end + 2)
        if let instructions = root?["instructions"]?.scalar?.text {
            body = PromptyBody.messages(instructions.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
                                        firstLine: root!["instructions"]!.mark.line + 1)
        }
        guard !body.isEmpty else { throw refusal(end + 2, "the prompty file has no prompt after its front matter", hint: "write 'system:' and 'user:' lines, each followed by its message") }

        // Translate each message, then place what became history.
        let lists = inputs.lists.union(sample?.filter { $0.1.sequence != nil }.map(\.0) ?? [])
            .union(body.reduce(into: Set<String>()) { $0.formUnion(JinjaToMustache.lists(in: $1.text)) })
        var messages: [ImportedConversation.Message] = []
        var history: String?
        var defaults: [String: String] = [:]
        var optional: [String] = []
        let version2 = inputs.version2 || root?["model"]?["id"] != nil || root?["instructions"] != nil
        for message in body {
            var translation = JinjaToMustache.Translation(text: message.text, variables: TemplateNames.variables(in: [message.text]))
            if format == "jinja2" {
                do { translation = try JinjaToMustache.translate(message.text, firstLine: message.textLine, lists: lists) } catch {
                    throw refusal(error.line, "cannot import this prompt faithfully: \(error.reason)",
                                  hint: "nothing was written; rewrite that part with what docs/cli.md lists under 'flow import', or write the workflow by hand")
                }
            } else if format != "mustache" {
                throw refusal(templateNode?.mark.line ?? 1, "template format '\(format)' is not one flow imports", hint: "flow imports jinja2 and mustache prompty bodies")
            }
            defaults.merge(translation.defaults) { first, _ in first }
            optional += translation.optional
            let seenUser = messages.contains { $0.role == "user" }
            if let loop = translation.history {
                let isSystem = message.role == "system" || message.role == "developer"
                guard history == nil, !seenUser, isSystem, loop.aloneAtEnd else {
                    throw refusal(message.textLine, "the chat-history loop over '\(loop.name)' sits where flow cannot put earlier turns",
                                  hint: "flow sends a history after the system prompt and before the first user turn: put the loop at the end of the system message")
                }
                history = loop.name
            }
            // Prompty 2's thread input: `{{thread}}` where the earlier turns go.
            for input in inputs.rich where translation.variables.contains(input.name) {
                guard input.kind == "thread" else {
                    throw refusal(message.textLine, "input '\(input.name)' is a Prompty \(input.kind) inserted into the prompt; flow's \(input.kind == "image" ? "image parts name a file or URL" : "parts name a file") in the workflow, not an input",
                                  hint: "write the part into the step (user: [{image: {file: …}}, …]) by hand")
                }
                let tag = "{{\(input.name)}}"
                let trimmed = translation.text.trimmingCharacters(in: .whitespacesAndNewlines)
                let isSystem = message.role == "system" || message.role == "developer"
                let atEnd = isSystem && trimmed.hasSuffix(tag)
                let atStart = message.role == "user" && !seenUser && trimmed.hasPrefix(tag)
                guard history == nil, atEnd || atStart, trimmed.components(separatedBy: tag).count == 2 else {
                    throw refusal(message.textLine, "the thread input '\(input.name)' sits where flow cannot put earlier turns",
                                  hint: "flow sends a history after the system prompt and before the first user turn")
                }
                translation.text = String(atEnd ? trimmed.dropLast(tag.count) : trimmed.dropFirst(tag.count)).trimmingCharacters(in: .whitespacesAndNewlines)
                history = input.name
            }
            if translation.text.allSatisfy(\.isWhitespace), translation.history != nil || history != nil, message.role != "user" { continue }
            // Prompty strips blank lines at a message's ends after rendering; so does the import.
            translation.text = translation.text.trimmingCharacters(in: .newlines)
            let parts = version2 || message.role != "user" ? nil : try Self.imageParts(translation.text, line: message.textLine, refusal: refusal)
            messages.append(ImportedConversation.Message(role: message.role, text: translation.text, line: message.line,
                                                         variables: translation.variables, parts: parts))
        }
        var conversation = ImportedConversation(messages, name: name, note: note)
        conversation.history = history
        if conversation.steps.isEmpty {
            // A system-only prompt (an evaluator, say) is still one call: its text is the turn.
            guard let only = messages.first, messages.count == 1 else {
                throw refusal(end + 2, "the prompty body has no 'user:' message", hint: "start the user's message with a line 'user:'")
            }
            // With a history after it, Prompty's call ends on the history's last message; flow's
            // would end on the system text sent as a user turn, after the history: not the same.
            if history != nil {
                throw refusal(only.line, "the body has a system message and a chat history but no 'user:' message, so Prompty's call ends on the history's last message; a flow step ends on a user turn of its own",
                              hint: "add a 'user:' message (for example the latest question) after the history")
            }
            note(only.line, "the body has only a system message; it is sent as the step's user turn, since a flow step is a user turn")
            conversation = ImportedConversation([ImportedConversation.Message(role: "user", text: only.text, line: only.line, variables: only.variables)],
                                                name: name, note: note)
            conversation.history = history
        }
        return try finish(out, conversation: conversation, model: model, inputs: inputs, sample: sample, defaults: defaults,
                          optional: optional, notes: { notes }, root: root, sourcePath: source.path, readFile: readFile, note: note)
    }

    /// The variables, the output shape, and the sample's case. `notes` is read at the end, so
    /// what `note` adds here is in the result.
    static func finish(_ head: [String], conversation: ImportedConversation, model: PromptyModel, inputs: PromptyInputs,
                       sample: [(String, Node)]?, defaults: [String: String], optional: [String], notes: () -> [String], root: Node?, sourcePath: String, readFile: (String) -> String?,
                       note: (Int, String) -> Void) throws(DiagnosticList) -> ImportedWorkflow {
        var conversation = conversation
        var out = head
        let variables = conversation.variables
        for input in inputs.declared where !variables.contains(input.name) {
            note(input.line, "input '\(input.name)' is not read by any message and was not carried over")
        }
        // The answer's shape: Prompty 1's response_format, Prompty 2's outputs.
        var responseFormat = model.responseFormat
        if let format = responseFormat, let match = format.scalar?.text.wholeMatch(of: /\$\{file:([^}]+)\}/) {
            // `${file:schema.json}`: the format is the file beside the prompty, as Prompty reads it.
            let path = String(match.1)
            guard let text = readFile(path) else {
                throw DiagnosticList([Diagnostic(path: sourcePath, mark: format.mark, message: "response_format names '\(path)', which cannot be read beside the prompty file",
                                                 hint: "put \(path) beside the .prompty file")])
            }
            do { responseFormat = try YAML.load(SourceFile(path: path, text: text)) } catch { throw DiagnosticList([error]) }
        }
        let shape = OutputShape(responseFormat: responseFormat, outputs: root?["outputs"], note: note)
        if let last = conversation.steps.indices.last { conversation.steps[last].extra = shape.stepLines }
        var defaultText: [String: String] = [:]
        for variable in variables {
            // Prompty lays the sample over the inputs' defaults.
            if let value = sample?.first(where: { $0.0 == variable })?.1 { defaultText[variable] = YAMLText.value(value) }
            else if let value = inputs.defaults[variable] { defaultText[variable] = YAMLText.value(value) }
            else if let value = defaults[variable] { defaultText[variable] = YAMLText.quoted(value) }
            else if optional.contains(variable) { defaultText[variable] = "\"\"" }
        }
        out += conversation.lines { defaultText[$0] }
        let steps = conversation.steps
        let required = variables.filter { defaultText[$0] == nil && $0 != conversation.history }
        if sample != nil || required.isEmpty {
            // The sample (or the defaults) becomes a case that checks the templates render and
            // every step runs; the mock answer is a stand-in, since a prompty file has no expected answer.
            out.append("tests:")
            out.append("  - name: " + YAMLText.quoted(sample != nil ? "the sample renders and every step runs" : "the defaults render and every step runs"))
            var pairs = (sample ?? []).filter { variables.contains($0.0) }.map { $0.0 + ": " + YAMLText.value($0.1) }
            for pair in sample ?? [] where !variables.contains(pair.0) {
                note(pair.1.mark.line, "sample value '\(pair.0)' is not used by any message and was not carried over")
            }
            for variable in required where !(sample ?? []).contains(where: { $0.0 == variable }) { pairs.append(variable + ": \"\"") }
            if !pairs.isEmpty { out.append("    vars: {" + pairs.joined(separator: ", ") + "}") }
            out.append("    mock: [" + steps.indices.map { index in
                index == steps.count - 1 ? shape.standIn : YAMLText.quoted("(a stand-in answer: run with --live to ask the model)")
            }.joined(separator: ", ") + "]")
            out.append("    expect:")
            out.append("      - " + conversation.pathCheck)
        }
        return ImportedWorkflow(workflow: out.joined(separator: "\n") + "\n", files: conversation.templates, notes: notes(), required: required)
    }

    /// A user message with Markdown images (`![alt](src)`), which Prompty 1 sends as image
    /// parts, as text and image parts in order; nil when it has none.
    static func imageParts(_ text: String, line: Int, refusal: (Int, String, String?) -> DiagnosticList) throws(DiagnosticList) -> [ImportedConversation.Part]? {
        let matches = text.matches(of: /!\[[^\]]*\]\(([^)\s]+)\)/)
        guard !matches.isEmpty else { return nil }
        var parts: [ImportedConversation.Part] = []
        var rest = text[...]
        for match in matches {
            let source = String(match.1)
            if source.contains("{{") {
                throw refusal(line, "the image '\(source)' is named by a template; flow's image parts name a file or URL written in the workflow",
                              "write the image part into the step by hand: user: [{image: {file: …}}, …]")
            }
            let before = rest[..<match.range.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
            if !before.isEmpty { parts.append(.text(before)) }
            parts.append(.image(source))
            rest = rest[match.range.upperBound...]
        }
        let after = rest.trimmingCharacters(in: .whitespacesAndNewlines)
        if !after.isEmpty { parts.append(.text(after)) }
        return parts
    }
}
