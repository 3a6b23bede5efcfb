import Foundation
import FlowSource
import FlowTemplate
import FlowYAML

/// Where a promptfoo config's prompts and tests come from: inline, or `file://` paths relative to
/// the config, in the formats promptfoo's documentation lists.
extension PromptfooImport {
    static func prompts(_ node: Node?, source: SourceFile, readFile: (String) -> String?, note: (Int, String) -> Void) throws(DiagnosticList) -> [Prompt] {
        var items: [(text: String, label: String?, line: Int)] = []
        var entries = node?.sequence ?? (node.map { [$0] } ?? [])
        if let pairs = node?.mapping, node?["id"] == nil, node?["raw"] == nil {
            // `{file://a.txt: label}`.
            entries = []
            for pair in pairs { items.append((pair.key.scalar?.text ?? "", pair.value.scalar?.text, pair.key.mark.line)) }
        }
        for entry in entries {
            if let text = entry.scalar?.text { items.append((text, nil, entry.mark.line)); continue }
            if let text = (entry["raw"] ?? entry["id"])?.scalar?.text {
                items.append((text, entry["label"]?.scalar?.text, entry.mark.line))
                for pair in entry.mapping ?? [] where !["raw", "id", "label"].contains(pair.key.scalar?.text ?? "") {
                    note(pair.key.mark.line, "prompt key '\(pair.key.scalar?.text ?? "")' is not one promptfoo documents (id, raw, label) and was not carried over")
                }
                continue
            }
            note(entry.mark.line, "a prompt flow cannot read was not carried over")
        }
        var prompts: [Prompt] = []
        for var item in items {
            // A bare path to a prompt file is read as a file, as promptfoo reads it.
            let lowered = item.text.lowercased()
            if !item.text.hasPrefix("file://"), !item.text.contains(where: \.isWhitespace), !item.text.contains("{{"),
               [".txt", ".json", ".yaml", ".yml", ".md", ".j2", ".jinja", ".njk"].contains(where: lowered.hasSuffix) {
                item.text = "file://" + item.text
            }
            guard item.text.hasPrefix("file://") else {
                let messages = Self.looksLikeChat(item.text) ? try Self.chat(item.text, path: source.path, line: item.line)
                    : [try message("user", item.text, line: item.line, file: source.path)]
                prompts.append(Prompt(label: item.label ?? "prompt \(prompts.count + 1)", messages: messages, line: item.line))
                continue
            }
            let path = String(item.text.dropFirst(7))
            let lower = path.lowercased()
            if path.contains("*") {
                note(item.line, "the prompt glob '\(path)' is not expanded; import names each file in prompts:")
                continue
            }
            if lower.range(of: #"\.(py|js|ts|mjs|cjs)(:[A-Za-z_][A-Za-z0-9_]*)?$"#, options: .regularExpression) != nil {
                note(item.line, "the prompt function '\(path)' is code flow does not run; write its text as a template")
                continue
            }
            guard let text = readFile(path) else {
                throw DiagnosticList([Diagnostic(path: source.path, mark: Mark(line: item.line, column: 1), message: "cannot read the prompt file '\(path)'",
                                                 hint: "the path is relative to the config")])
            }
            let label = item.label ?? path
            if lower.hasSuffix(".json") || lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || Self.looksLikeChat(text) {
                prompts.append(Prompt(label: label, messages: try Self.chat(text, path: path), line: item.line))
                continue
            }
            // A text file holds one prompt, or several separated by lines of `---`.
            let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
            var line = 1
            for (index, part) in normalized.components(separatedBy: "\n---\n").enumerated() {
                let body = part.trimmingCharacters(in: .newlines)
                prompts.append(Prompt(label: index == 0 ? label : "\(label) #\(index + 1)",
                                      messages: [try message("user", body, line: line, file: path)], line: item.line))
                line += part.filter { $0 == "\n" }.count + 2
            }
        }
        return prompts
    }

    /// Whether a text prompt is chat messages: promptfoo sends a prompt that reads as a YAML list
    /// of roles (`- role: system`) or a JSON array of messages as those messages.
    static func looksLikeChat(_ text: String) -> Bool {
        let trimmed = text.trimmingWhitespace
        return trimmed.hasPrefix("- role:") || (trimmed.hasPrefix("[") && trimmed.hasSuffix("]") && trimmed.contains("\"role\""))
    }

    /// The messages of a chat prompt (JSON or YAML), each one's Nunjucks translated.
    static func chat(_ text: String, path: String, line: Int = 1) throws(DiagnosticList) -> [ImportedConversation.Message] {
        let parsed: Node?
        do { parsed = try YAML.load(SourceFile(path: path, text: text)) } catch { throw DiagnosticList([error]) }
        guard let turns = parsed?.sequence else {
            throw DiagnosticList([Diagnostic(path: path, mark: Mark(line: line, column: 1), message: "a chat prompt is a list of {role, content} messages", hint: nil)])
        }
        var messages: [ImportedConversation.Message] = []
        for turn in turns {
            guard let role = turn["role"]?.scalar?.text, let content = turn["content"]?.scalar?.text else {
                throw DiagnosticList([Diagnostic(path: path, mark: Mark(line: line + turn.mark.line - 1, column: turn.mark.column), message: "a message with content that is not text (image or tool parts) cannot be imported",
                                                 hint: "write the step's parts by hand: user: [{image: {file: …}}, \"text\"]")])
            }
            messages.append(try message(role, content, line: line + turn.mark.line - 1, file: path))
        }
        return messages
    }

    /// One message, its Nunjucks made Mustache or refused at its line.
    static func message(_ role: String, _ text: String, line: Int, file: String) throws(DiagnosticList) -> ImportedConversation.Message {
        do throws(JinjaToMustache.Refusal) {
            let translation = try JinjaToMustache.translate(text, firstLine: line)
            if translation.history != nil {
                throw JinjaToMustache.Refusal(line: line, reason: "a loop writing role lines is a chat history, which a promptfoo prompt cannot carry as text; use a JSON chat prompt")
            }
            return ImportedConversation.Message(role: role, text: translation.text, line: line, variables: translation.variables)
        } catch {
            throw DiagnosticList([Diagnostic(path: file, mark: Mark(line: error.line, column: 1), message: "cannot import this prompt faithfully: \(error.reason)",
                                             hint: "nothing was written; rewrite that part with what docs/cli.md lists under 'flow import', or write the workflow by hand")])
        }
    }

    static func tests(_ node: Node?, source: SourceFile, readFile: (String) -> String?, note: (Int, String) -> Void) throws(DiagnosticList) -> [Test] {
        var tests: [Test] = []
        for entry in node?.sequence ?? (node.map { [$0] } ?? []) {
            if let text = entry.scalar?.text {
                guard text.hasPrefix("file://") else {
                    note(entry.mark.line, "tests from '\(text)' are not read: flow imports file:// CSV, JSON Lines, YAML and JSON tests")
                    continue
                }
                tests += try file(String(text.dropFirst(7)), at: entry.mark.line, source: source, readFile: readFile, note: note)
            } else {
                tests.append(test(entry, file: source.path) { note($0, $1) })
            }
        }
        return tests
    }

    static func test(_ node: Node, file: String, note: (Int, String) -> Void) -> Test {
        for pair in node.mapping ?? [] where !["vars", "assert", "description"].contains(pair.key.scalar?.text ?? "") {
            note(pair.key.mark.line, "test '\(pair.key.scalar?.text ?? "")' has no flow equivalent and was not carried over")
        }
        return Test(name: node["description"]?.scalar?.text, vars: (node["vars"]?.mapping ?? []).map { ($0.key.scalar?.text ?? "", $0.value) },
                    asserts: node["assert"]?.sequence ?? [], line: node.mark.line, file: file)
    }

    /// A `file://` test file: CSV rows (`__expected…` columns are assertions), or JSON Lines,
    /// YAML or JSON lists of tests.
    static func file(_ path: String, at line: Int, source: SourceFile, readFile: (String) -> String?, note: (Int, String) -> Void) throws(DiagnosticList) -> [Test] {
        guard let text = readFile(path) else {
            throw DiagnosticList([Diagnostic(path: source.path, mark: Mark(line: line, column: 1), message: "cannot read the test file '\(path)'", hint: "the path is relative to the config")])
        }
        let file = SourceFile(path: path, text: text)
        func fileNote(_ line: Int, _ text: String) { note(line, "\(path):\(line): " + text) }
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") {
            let rows: [([String: TemplateValue], Mark)]
            do { rows = try Datasets.placedRows(file) } catch { throw DiagnosticList([error]) }
            let header: [String]
            do { header = try Datasets.csvRecords(file).first ?? [] } catch { throw DiagnosticList([error]) }
            var noted: Set<String> = []
            return rows.map { row, mark in
                var vars: [(String, Node)] = []
                var asserts: [Node] = []
                var name: String?
                for column in header {
                    guard let value = row[column], case .string(let cell) = value else { continue }
                    if column.hasPrefix("__expected") {
                        if !cell.isEmpty { asserts.append(PromptfooAssertions.cell(cell, line: mark.line)) }
                    } else if column == "__description" {
                        name = cell
                    } else if column.hasPrefix("__") {
                        guard noted.insert(column).inserted else { continue }
                        fileNote(1, "column '\(column)' has no flow equivalent and was not carried over")
                    } else {
                        vars.append((column, Node(.scalar(Scalar(text: cell, style: .doubleQuoted)), mark: mark)))
                    }
                }
                return Test(name: name, vars: vars, asserts: asserts, line: mark.line, file: path)
            }
        }
        var nodes: [Node] = []
        do {
            if lower.hasSuffix(".jsonl") {
                for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    let padded = String(repeating: "\n", count: index) + line
                    if let node = try YAML.load(SourceFile(path: path, text: padded)) { nodes.append(node) }
                }
            } else {
                nodes = try YAML.load(file)?.sequence ?? []
            }
        } catch {
            throw DiagnosticList([error])
        }
        return nodes.map { test($0, file: path, note: fileNote) }
    }
}
