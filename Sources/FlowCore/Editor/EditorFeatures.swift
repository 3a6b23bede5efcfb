import Foundation
import FlowSource
import FlowYAML

/// Completion, hover, go-to-definition and document symbols for a workflow buffer, read from
/// its text (and, for names, from its YAML when it parses). Results are LSP JSON. Pure but for
/// listing the directory for `call:` completion.
enum EditorFeatures {
    // MARK: Completion

    static func completion(_ text: EditorText, line: Int, column: Int, path: String) -> JSON {
        let prefix = text.prefix(line: line, column: column)
        if EditorText.inTag(prefix) {
            return items(names(in: text).map { ($0.name, $0.detail) }, kind: 6)
        }
        if let value = valueContext(prefix) {
            switch value {
            case "goto", "after": return items(stepIDs(in: text).map { ($0.id, "step, line \($0.line + 1)") }, kind: 18)
            case "model":
                // The project's compatible servers take any model name: offered as `name/`.
                let configured = ((try? ProjectConfig.find(from: PathText.directory(of: path)))?.providers ?? [])
                    .map { ("\($0.name.rawValue)/", "a server in flow.config.yaml (\($0.baseURL))") }
                return items(ModelNames.known.map { ($0, PriceTable.builtIn.prices[$0].map(priceLine)) } + configured
                             + [("mock/scripted", "offline, the workflow's mock: replies")], kind: 12)
            case "call":
                let directory = PathText.directory(of: path)
                let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? [])
                    .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && $0 != String(path.split(separator: "/").last ?? "") }.sorted()
                return items(files.map { ($0, "a workflow beside this one") }, kind: 17)
            case "parse": return items([("json", "parse the answer as JSON")], kind: 12)
            case "escape": return items([("none", "the default: prompts are not HTML"), ("html", "HTML-escape {{values}}")], kind: 12)
            case "on_item_error": return items([("fail", "the run fails (default)"), ("skip", "left out of the list"), ("null", "its place holds null")], kind: 12)
            case "by": return items([("paragraphs", nil), ("lines", nil)], kind: 12)
            default: return .array([])
            }
        }
        // A key being typed: the keys its mapping takes, with what each is.
        let typed = prefix.dropFirst(EditorText.contentIndent(prefix).indent)
        guard typed.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return .array([]) }
        guard let (keys, schemas) = keyTable(text.keyPath(line: line, column: column)) else { return .array([]) }
        return .array(keys.map { key in
            .object([("label", .string(key)), ("kind", .int(10)), ("insertText", .string(key + ": ")),
                     ("detail", schemas[key]?["description"].map { $0 } ?? .null)])
        })
    }

    /// The key whose value the cursor is in (`goto` in `goto: re|`, `after` in `after: [a, |`).
    static func valueContext(_ prefix: String) -> String? {
        for key in ["goto", "after", "model", "call", "parse", "escape", "on_item_error", "by"] {
            guard let range = prefix.range(of: key + ":", options: .backwards) else { continue }
            let before = prefix[..<range.lowerBound].last
            guard before == nil || before == " " || before == "{" || before == "," || before == "-" else { continue }
            let rest = prefix[range.upperBound...]
            // Still inside that value: no later key started since.
            if !rest.contains(":"), !rest.contains("}") { return key }
        }
        return nil
    }

    /// The keys a mapping at `path` takes, and their schemas (descriptions).
    static func keyTable(_ path: [String]) -> ([String], [String: JSON])? {
        let named = path.filter { $0 != "-" }
        switch named.last {
        case nil: return (WorkflowDecoder.topLevelKeys, FormatKeys.top)
        case "steps": return path.last == "-" ? (WorkflowDecoder.stepKeys, FormatKeys.step) : nil
        case "map": return (WorkflowDecoder.mapKeys, FormatKeys.map)
        case "params": return (WorkflowDecoder.paramKeys, FormatKeys.params)
        case "limits": return (Array(FormatKeys.limits.keys).sorted(), FormatKeys.limits)
        case "tests": return path.last == "-" ? (WorkflowDecoder.caseKeys, FormatKeys.testCase) : nil
        case "expect": return (WorkflowDecoder.expectationKeys, FormatKeys.expectation)
        case "variants": return path.last == "-" ? (WorkflowDecoder.variantKeys, FormatKeys.variant) : nil
        case "on":
            let reasons = BranchReason.allCases.map(\.rawValue)
            return (reasons, Dictionary(uniqueKeysWithValues: reasons.map { ($0, JSON.object([("description", .string("what follows an answer that ended '\($0)'"))])) }))
        default: return nil
        }
    }

    static func items(_ entries: [(String, String?)], kind: Int) -> JSON {
        .array(entries.map { label, detail in
            .object([("label", .string(label)), ("kind", .int(kind))] + (detail.map { [("detail", JSON.string($0))] } ?? []))
        })
    }

    static func priceLine(_ price: Price) -> String {
        String(format: "$%.2f in / $%.2f out per million tokens", price.input * 1e6, price.output * 1e6)
    }

    // MARK: Names

    /// The names a template may read: vars, saves, map items; each with where it comes from.
    static func names(in text: EditorText) -> [(name: String, detail: String, line: Int)] {
        var found: [(String, String, Int)] = []
        let root = (try? YAML.load(SourceFile(path: "buffer", text: text.lines.joined(separator: "\n")))) ?? nil
        if let vars = root?["vars"]?.mapping {
            for pair in vars {
                guard let name = pair.key.scalar?.text else { continue }
                let value = pair.value.scalar.map { $0.text.isEmpty || $0.text == "null" ? "required" : "default: " + $0.text.prefix(40) } ?? "default: a list or mapping"
                found.append((name, "input (\(value))", pair.key.mark.line - 1))
            }
        }
        let steps = stepIDs(in: text)
        for (index, line) in text.lines.enumerated() {
            for (key, what) in [("save", "saved by"), ("as", "the item of the map on")] {
                guard let name = value(of: key, in: line) else { continue }
                let step = steps.last { $0.line <= index }?.id ?? "?"
                if !found.contains(where: { $0.0 == name }) { found.append((name, "\(what) step '\(step)'", index)) }
            }
        }
        return found
    }

    /// The value written after `key:` on a line (`save: labels` or `{…, save: labels}`).
    static func value(of key: String, in line: String) -> String? {
        guard let range = line.range(of: key + ":") else { return nil }
        let before = line[..<range.lowerBound].last
        guard before == nil || before == " " || before == "{" || before == "," else { return nil }
        let rest = line[range.upperBound...].drop { $0 == " " || $0 == "\"" }
        let word = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        return word.isEmpty ? nil : String(word)
    }

    /// The step ids written in the buffer, with their lines.
    static func stepIDs(in text: EditorText) -> [(id: String, line: Int)] {
        text.lines.enumerated().compactMap { index, line in
            guard EditorText.key(of: line) == "id" || line.contains("{id:") else { return nil }
            return value(of: "id", in: line).map { ($0, index) }
        }
    }

    // MARK: Hover

    static func hover(_ text: EditorText, line: Int, column: Int, path: String) -> JSON? {
        guard let word = text.word(line: line, column: column) else { return nil }
        let prefix = text.prefix(line: line, column: word.start)
        var markdown: String?
        if EditorText.inTag(prefix) {
            let head = String(word.text.split(separator: ".").first ?? "")
            if let name = names(in: text).first(where: { $0.name == head }) {
                markdown = "**\(name.name)** — \(name.detail), line \(name.line + 1)" + usedOn(head, in: text)
            } else {
                markdown = "**\(head)** is not defined: `flow validate` refuses it"
            }
        } else if EditorText.key(of: text.lines[line]) == word.text, text.prefix(line: line, column: word.end).hasSuffix(word.text),
                  let (_, schemas) = keyTable(text.keyPath(line: line)), let description = schemas[word.text]?["description"]?.string {
            markdown = "**\(word.text)** — \(description)"
        } else if let step = stepIDs(in: text).first(where: { $0.id == word.text }) {
            let user = text.lines.dropFirst(step.line).prefix(6).compactMap { value(ofText: "user", in: $0) }.first
            markdown = "step **\(step.id)**, line \(step.line + 1)" + (user.map { "\n\nuser: " + $0 } ?? "")
        } else if let price = PriceTable.builtIn.prices[word.text] {
            markdown = "**\(word.text)** — " + priceLine(price)
        }
        guard let markdown else { return nil }
        return .object([("contents", .object([("kind", .string("markdown")), ("value", .string(markdown))])),
                        ("range", LanguageServer.range(line: line, start: word.start, end: word.end))])
    }

    /// `; used on lines 5, 9`: where templates in the buffer read `name`.
    static func usedOn(_ name: String, in text: EditorText) -> String {
        let uses = text.lines.indices.filter { index in
            let line = text.lines[index]
            return ["{{\(name)}}", "{{\(name).", "{{ \(name)", "{{#\(name)}}", "{{^\(name)}}", "{{{\(name)}}}"].contains { line.contains($0) }
        }
        return uses.isEmpty ? "; not used in this file's templates" : "; used on line" + (uses.count == 1 ? " " : "s ") + uses.map { String($0 + 1) }.joined(separator: ", ")
    }

    /// The rest of the line after `key:`, as written.
    static func value(ofText key: String, in line: String) -> String? {
        guard let range = line.range(of: key + ":") else { return nil }
        let rest = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
        return rest.isEmpty ? nil : String(rest.prefix(120))
    }

    // MARK: Definition

    static func definition(_ text: EditorText, line: Int, column: Int, path: String) -> JSON? {
        guard let word = text.word(line: line, column: column) else { return nil }
        let prefix = text.prefix(line: line, column: word.start)
        let uri = "file://" + path
        if EditorText.inTag(prefix) {
            // `{{> name}}`: the partial's file.
            if prefix.hasSuffix("{{>") || prefix.hasSuffix("{{> ") {
                let configured = text.lines.first { EditorText.key(of: $0) == "partials" && EditorText.contentIndent($0).indent == 0 }
                    .flatMap { value(ofText: "partials", in: $0) }
                guard let directory = PartialLoader.directory(configured: configured, workflowDirectory: PathText.directory(of: path)),
                      let file = PartialLoader.file(for: word.text, in: directory) else { return nil }
                return location("file://" + file, line: 0)
            }
            let head = String(word.text.split(separator: ".").first ?? "")
            guard let name = names(in: text).first(where: { $0.name == head }) else { return nil }
            return location(uri, line: name.line)
        }
        // A file the workflow names: a template, a schema, a dataset, a called workflow.
        for key in ["file", "call", "dataset"] where prefix.hasSuffix(key + ": ") || prefix.hasSuffix(key + ": \"") {
            let directory = PathText.directory(of: path)
            let target = word.text.hasPrefix("/") ? word.text : WorkflowLoader.normalize((directory.isEmpty ? "." : directory) + "/" + word.text)
            return location("file://" + target, line: 0)
        }
        if let step = stepIDs(in: text).first(where: { $0.id == word.text }) { return location(uri, line: step.line) }
        return nil
    }

    static func location(_ uri: String, line: Int) -> JSON {
        .object([("uri", .string(uri)), ("range", LanguageServer.range(line: line, start: 0, end: 0))])
    }

    // MARK: Symbols

    /// The steps, as the editor's outline shows them.
    static func symbols(_ text: EditorText) -> JSON {
        .array(stepIDs(in: text).map { step in
            let width = text.lines[step.line].utf16.count
            return .object([("name", .string(step.id)), ("kind", .int(12)), ("detail", .string("step")),
                            ("range", LanguageServer.range(line: step.line, start: 0, end: width)),
                            ("selectionRange", LanguageServer.range(line: step.line, start: 0, end: width))])
        })
    }
}
