import FlowSource
import FlowYAML

/// An eval exported from OpenAI's Evals platform as one flow workflow. The eval object (as
/// `GET /v1/evals/{id}` answers it: `data_source_config` with its `item_schema`, and
/// `testing_criteria`) says what is checked; a run (`"run"`/`"runs"` in the same file, or
/// `NAME.run.json` beside it) says what is asked: its `data_source` of type `completions` or
/// `responses` has the model, `sampling_params` and `input_messages` (a template over
/// `{{ item.x }}`, or an `item_reference` to a conversation in each row); its `source` holds the
/// rows (`file_content`), or names a file (`file_id`, read as `FILE_ID.jsonl` beside the export,
/// else `NAME.jsonl`). Each row is checked against the item schema; the rows become a dataset
/// with each row's string checks, judges are shared.
public enum OpenAIEvalImport {
    /// Whether a JSON text looks like an eval export.
    public static func recognizes(_ text: String) -> Bool {
        text.contains("\"testing_criteria\"")
    }

    public static func convert(_ source: SourceFile, name: String, readFile: (String) -> String?) throws(DiagnosticList) -> ImportedWorkflow {
        let top: Node?
        do { top = try YAML.load(source) } catch { throw DiagnosticList([error]) }
        func refuse(_ line: Int, _ message: String, hint: String? = nil, in path: String? = nil) -> DiagnosticList {
            DiagnosticList([Diagnostic(path: path ?? source.path, mark: Mark(line: line, column: 1), message: message, hint: hint)])
        }
        guard let top, let eval = top["testing_criteria"] != nil ? top : top["eval"], eval["testing_criteria"] != nil else {
            throw refuse(1, "an eval export is the eval object, with data_source_config and testing_criteria")
        }
        var notes: [String] = []
        func note(_ line: Int, _ text: String) { notes.append("\(source.path):\(line): \(text)") }

        // The run: in the file, or beside it.
        var runSource = source
        var run = top["run"] ?? top["runs"]?.sequence?.first ?? top["runs"]?["data"]?.sequence?.first
        if run == nil, let text = readFile(name + ".run.json") {
            runSource = SourceFile(path: name + ".run.json", text: text)
            do { run = try YAML.load(runSource) } catch { throw DiagnosticList([error]) }
        }
        guard let run, let dataSource = run["data_source"] else {
            throw refuse(eval.mark.line, "the export has no run, so nothing says which model is asked what",
                         hint: "put the run (GET /v1/evals/{id}/runs/{run_id}) in the file as \"run\", or beside it as \(name).run.json")
        }
        func runNote(_ line: Int, _ text: String) { notes.append("\(runSource.path):\(line): \(text)") }
        let type = dataSource["type"]?.scalar?.text ?? ""
        guard type == "completions" || type == "responses" else {
            throw refuse(dataSource.mark.line, "the run's data source is '\(type)': it grades answers already in the data, and flow runs a model to get them", in: runSource.path)
        }
        let schema = eval["data_source_config"]?["item_schema"].map(WorkflowDecoder.json)

        // The rows.
        let rows = try Self.rows(dataSource["source"], name: name, readFile: readFile, in: runSource.path)
        for (index, row) in rows.enumerated() {
            if let schema, case let problems = JSONSchema.validate(row.item, against: schema), !problems.isEmpty {
                throw refuse(row.line, "row \(index + 1) does not fit the eval's item_schema: " + problems.joined(separator: "; "), in: row.file)
            }
        }
        guard !rows.isEmpty else { throw refuse(dataSource.mark.line, "the run's source has no rows", in: runSource.path) }

        // The prompt.
        let inputMessages = dataSource["input_messages"]
        var conversationLines: [String]
        var promptFields: [String] = []
        var referencePath: String?
        var files: [(path: String, text: String)] = []
        switch inputMessages?["type"]?.scalar?.text {
        case "template":
            var messages: [ImportedConversation.Message] = []
            for message in inputMessages?["template"]?.sequence ?? [] {
                let role = message["role"]?.scalar?.text ?? "user"
                let content = message["content"]
                guard let text = content?.scalar?.text ?? content?["text"]?.scalar?.text else {
                    throw refuse(message.mark.line, "a template message that is not text (an image or file part) is not imported", in: runSource.path)
                }
                let translated = try Self.itemTemplate(text, line: message.mark.line, in: runSource.path)
                for field in translated.fields where !promptFields.contains(field) { promptFields.append(field) }
                messages.append(.init(role: role, text: translated.text, line: message.mark.line, variables: translated.fields))
            }
            let conversation = ImportedConversation(messages, name: name, note: runNote)
            guard !conversation.steps.isEmpty else { throw refuse(inputMessages!.mark.line, "the template has no user message", in: runSource.path) }
            files = conversation.templates
            conversationLines = conversation.lines { _ in nil }
            if conversation.steps.count > 1 {
                runNote(inputMessages!.mark.line, "the template has \(conversation.steps.count) user messages: each is a step, and flow asks the model after each one (the platform sent them as one request)")
            }
        case "item_reference":
            // Each row holds its conversation, as a registry sample does.
            guard let reference = inputMessages?["item_reference"]?.scalar?.text, reference.hasPrefix("item.") else {
                throw refuse(inputMessages!.mark.line, "input_messages item_reference must name a field of the item (item.x)", in: runSource.path)
            }
            referencePath = String(reference.dropFirst(5))
            conversationLines = []
        default:
            throw refuse(inputMessages?.mark.line ?? dataSource.mark.line, "the run has no input_messages template, so nothing says what the model is asked", in: runSource.path)
        }

        // Sampling.
        let sampling = dataSource["sampling_params"]
        let params = ImportedConversation.parameters(sampling.map { node in
            // The shape checks its own key below.
            Node(.mapping((node.mapping ?? []).filter { $0.key.scalar?.text != "response_format" && $0.key.scalar?.text != "text" }), mark: node.mark)
        }, names: ["temperature": "temperature", "top_p": "top_p", "seed": "seed", "max_completion_tokens": "max_tokens", "max_tokens": "max_tokens"], note: runNote)
        let shape = OutputShape(responseFormat: sampling?["response_format"] ?? sampling?["text"]?["format"], outputs: nil, note: runNote)
        let graders = OpenAIEvalGraders(eval["testing_criteria"], note: note)
        guard !graders.rowChecks.isEmpty || !graders.judges.isEmpty else {
            throw refuse(eval["testing_criteria"]!.mark.line, "none of the eval's graders has a flow equivalent, so its cases would check nothing",
                         hint: "flow carries string_check, label_model and score_model graders")
        }

        // The dataset: the fields the prompt and judges read, the conversation, each row's checks.
        var lines: [String] = []
        var unread: Set<String> = []
        // Fields only a row's own checks read are written into those checks, not the row.
        let checked = Set(graders.rowChecks.flatMap(\.fields))
        let read = Set((promptFields + graders.judgeFields).map { String($0.split(separator: ".").first ?? "") })
        for (index, row) in rows.enumerated() {
            var pairs: [(String, JSON)] = [("name", .string("row \(index + 1)"))]
            if let referencePath {
                guard let value = OpenAIEvalGraders.value(at: referencePath, in: row.item) else {
                    throw refuse(row.line, "row \(index + 1) has no item.\(referencePath), which input_messages refers to", in: row.file)
                }
                let sample: EvalSample
                do { sample = try EvalSample.conversation(value, line: row.line) { line, text in runNote(line, text) } } catch {
                    throw refuse(row.line, "row \(index + 1): " + error.reason, in: row.file)
                }
                if !sample.system.isEmpty { pairs.append(("system", .string(sample.system))) }
                if !sample.history.isEmpty { pairs.append(("history", .array(sample.history))) }
                pairs.append(("prompt", .string(sample.prompt)))
            }
            for (key, value) in row.item.objectPairs ?? [] {
                if read.contains(key) { pairs.append((key, value)) } else if !checked.contains(key), referencePath.map({ !$0.hasPrefix(key) }) ?? true, unread.insert(key).inserted {
                    note(eval["data_source_config"]?.mark.line ?? 1, "item field '\(key)' is read by no prompt or carried grader and was not carried over")
                }
            }
            for field in promptFields + graders.judgeFields where OpenAIEvalGraders.value(at: field, in: row.item) == nil {
                throw refuse(row.line, "row \(index + 1) has no '\(field)', which the prompt or a grader reads", in: row.file)
            }
            var expect: [JSON] = []
            for check in graders.rowChecks {
                guard let made = check.make(row.item) else {
                    throw refuse(row.line, "row \(index + 1) lacks a field grader '\(check.name)' reads", in: row.file)
                }
                expect.append(made)
            }
            if !expect.isEmpty { pairs.append(("expect", .array(expect))) }
            lines.append(JSON.object(pairs).serialized)
        }
        let dataset = name + ".cases.jsonl"
        files.append((dataset, lines.joined(separator: "\n")))

        // The workflow.
        var out = ["# Imported from \(source.path) by flow import; review it, then delete this line.", "flow: 1"]
        out.append("name: " + YAMLText.quoted(name))
        if let title = eval["name"]?.scalar?.text { out.append("description: " + YAMLText.quoted(title)) }
        let model = dataSource["model"]?.scalar?.text ?? "gpt-4o-mini"
        if dataSource["model"] == nil { runNote(dataSource.mark.line, "the run names no model: openai/gpt-4o-mini stands in") }
        out.append("model: " + YAMLText.quoted("openai/" + model))
        if referencePath != nil {
            out += EvalSample.conversationLines(params: params)
            out += shape.stepLines
        } else {
            out += ImportedConversation.paramsLine(params)
            out += conversationLines + shape.stepLines
        }
        out.append("tests:")
        out.append("  - dataset: \(dataset)")
        if !graders.judges.isEmpty { out.append("    expect: [" + graders.judges.joined(separator: ", ") + "]") }
        note(1, "the \(rows.count) rows have no recorded answers: record them once with flow test \(name).yaml --live --record; flow test then replays them offline")
        var imported = ImportedWorkflow(workflow: out.joined(separator: "\n") + "\n", files: files, notes: notes,
                                        required: [])
        imported.needsRecording = true
        return imported
    }

    struct Row {
        var item: JSON
        var line: Int
        var file: String
    }

    /// The rows of a run's `source`: inline `file_content`, or a `file_id` read beside the export.
    static func rows(_ node: Node?, name: String, readFile: (String) -> String?, in path: String) throws(DiagnosticList) -> [Row] {
        func refuse(_ line: Int, _ message: String, hint: String? = nil, in file: String = path) -> DiagnosticList {
            DiagnosticList([Diagnostic(path: file, mark: Mark(line: line, column: 1), message: message, hint: hint)])
        }
        guard let node else { throw refuse(1, "the run's data source has no source of rows") }
        // A row is `{"item": {…}}` (with an optional `sample`), or the item itself.
        func item(_ json: JSON) -> JSON { json["item"] ?? json }
        switch node["type"]?.scalar?.text {
        case "file_content":
            return (node["content"]?.sequence ?? []).map { Row(item: item(WorkflowDecoder.json($0)), line: $0.mark.line, file: path) }
        case "file_id":
            let id = node["id"]?.scalar?.text ?? ""
            let candidates = [id + ".jsonl", name + ".jsonl"]
            var found: (String, String)?
            for candidate in candidates where found == nil { found = readFile(candidate).map { ($0, candidate) } }
            guard let (text, file) = found else {
                throw refuse(node.mark.line, "the rows are in file \(id), which is not beside the export (looked for " + candidates.joined(separator: ", ") + ")",
                             hint: "download it (GET /v1/files/\(id)/content) as \(id).jsonl beside the export")
            }
            var rows: [Row] = []
            for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).enumerated() where !line.allSatisfy(\.isWhitespace) {
                do { rows.append(Row(item: item(try JSON.parse(String(line))), line: index + 1, file: file)) } catch {
                    throw refuse(index + 1, "the line is not JSON: \(error)", in: file)
                }
            }
            return rows
        default:
            throw refuse(node.mark.line, "the run's source is '\(node["type"]?.scalar?.text ?? "")'; flow reads file_content and file_id sources",
                         hint: "stored completions are not exported; save them as JSON Lines rows and point a file_id source at them")
        }
    }

    /// A platform template (`{{ item.question }}`) as Mustache (`{{question}}`); any other
    /// reference stops the import.
    static func itemTemplate(_ text: String, line: Int, in path: String) throws(DiagnosticList) -> (text: String, fields: [String]) {
        var out = ""
        var fields: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else { out += rest; rest = ""; break }
            let inner = String(rest[open.upperBound..<close.lowerBound]).trimmingWhitespace
            guard inner.hasPrefix("item."), inner.dropFirst(5).allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else {
                throw DiagnosticList([Diagnostic(path: path, mark: Mark(line: line, column: 1), message: "the template reads {{ \(inner) }}; flow's prompt reads the row's fields ({{ item.x }})")])
            }
            let field = String(inner.dropFirst(5))
            out += "{{" + field + "}}"
            let top = String(field.split(separator: ".").first ?? "")
            if !fields.contains(top) { fields.append(top) }
            rest = rest[close.upperBound...]
        }
        return (out + rest, fields)
    }
}
