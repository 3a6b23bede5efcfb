import Foundation
import FlowSource
import FlowTemplate
import FlowYAML

/// promptfoo configs (`promptfooconfig.yaml`) as one flow workflow, as promptfoo's documentation
/// describes them: `prompts` (inline Nunjucks, `file://` text — several split by `---` lines — or
/// JSON/YAML chat messages), `providers` (mapped by `PromptfooProvider`), `defaultTest` (vars,
/// assertions, the grader) and `tests` (inline, or `file://` CSV with `__expected` columns,
/// JSON Lines, YAML or JSON). Several prompts × providers become `variants:`. A test var holding
/// a list makes one case per value, as promptfoo does. Pure: the config's text and a reader for
/// the files it names in, the workflow out.
public enum PromptfooImport {
    struct Prompt {
        var label: String
        var messages: [ImportedConversation.Message]
        var line: Int
    }

    struct Test {
        var name: String?
        var vars: [(String, Node)]
        var asserts: [Node]
        var line: Int
        /// The file the test is written in, for errors in its values.
        var file: String
    }

    public static func convert(_ source: SourceFile, name: String, readFile: (String) -> String?) throws(DiagnosticList) -> ImportedWorkflow {
        let root: Node?
        do { root = try YAML.load(source) } catch { throw DiagnosticList([error]) }
        guard let root, root.mapping != nil else {
            throw DiagnosticList([Diagnostic(source, Mark(line: 1, column: 1), "a promptfoo config is a mapping with 'prompts:' and 'tests:'", hint: nil)])
        }
        var notes: [String] = []
        func note(_ line: Int, _ text: String) { notes.append("\(source.path):\(line): \(text)") }
        func refuse(_ path: String, _ line: Int, _ message: String, hint: String? = nil) -> DiagnosticList {
            DiagnosticList([Diagnostic(path: path, mark: Mark(line: line, column: 1), message: message, hint: hint)])
        }
        for pair in root.mapping ?? [] where !["description", "prompts", "providers", "targets", "tests", "defaultTest"].contains(pair.key.scalar?.text ?? "") {
            note(pair.key.mark.line, "'\(pair.key.scalar?.text ?? "")' has no flow equivalent and was not carried over")
        }

        // Prompts.
        let noted = notes.count
        let prompts = try Self.prompts(root["prompts"], source: source, readFile: readFile, note: note)
        guard let first = prompts.first else {
            // Say why: the first prompt that was passed over, else that there is none.
            let why = notes.dropFirst(noted).first.map { ": " + $0.split(separator: ":", maxSplits: 2).dropFirst(2).joined().trimmingWhitespace } ?? ""
            throw refuse(source.path, root["prompts"]?.mark.line ?? 1, "the config has no prompt flow can import" + why, hint: "give prompts: as text, a file:// text file or a JSON chat file")
        }
        // `targets` is promptfoo's other name for `providers` (red-team configs use it).
        var providers = PromptfooProvider.all(root["providers"] ?? root["targets"], note: note)
        if providers.isEmpty {
            note(root["providers"]?.mark.line ?? 1, "no providers: openai/gpt-4o-mini stands in")
            providers = [PromptfooProvider(id: "openai:gpt-4o-mini", config: nil, label: nil, line: 1, note: note)]
        }
        var conversation = ImportedConversation(first.messages, name: name, note: note)
        guard !conversation.steps.isEmpty else {
            throw refuse(source.path, first.line, "prompt '\(first.label)' has no user message", hint: "a flow step is a user turn")
        }
        if conversation.steps.count > 1 {
            note(first.line, "prompt '\(first.label)' has \(conversation.steps.count) user turns: each is a step, and flow asks the model after each one (promptfoo sends them as one request)")
        }
        let shape = OutputShape(responseFormat: providers[0].responseFormat, outputs: nil, note: note)
        conversation.steps[conversation.steps.count - 1].extra = shape.stepLines

        // The other prompts, as templates the variants name.
        var promptFiles: [(system: String?, user: String)?] = [nil]
        var templates = conversation.templates
        var variables = conversation.variables
        for (index, prompt) in prompts.enumerated().dropFirst() {
            let other = ImportedConversation(prompt.messages, name: "\(name).p\(index + 1)", note: note)
            guard other.steps.count == 1, conversation.steps.count == 1, let user = other.templates.first(where: { $0.path.contains(".user") }) else {
                note(prompt.line, "prompt '\(prompt.label)' has another shape of turns than the first prompt; a variant changes one step's turn, so it was not carried over")
                promptFiles.append(nil)
                continue
            }
            templates += other.templates
            promptFiles.append((other.templates.first { $0.path.hasSuffix(".system.mustache") }?.path, user.path))
            for variable in other.variables where !variables.contains(variable) { variables.append(variable) }
        }

        // defaultTest and tests.
        var defaultTest = root["defaultTest"]
        if let path = defaultTest?.scalar?.text, path.hasPrefix("file://") {
            defaultTest = try Self.load(String(path.dropFirst(7)), readFile: readFile, at: defaultTest!.mark.line, in: source.path)
        }
        let grader = (defaultTest?["options"]?["provider"]?.scalar?.text ?? defaultTest?["options"]?["provider"]?["id"]?.scalar?.text)
            .map { PromptfooProvider(id: $0, config: nil, label: nil, line: defaultTest!.mark.line, note: note).model }
        for pair in defaultTest?.mapping ?? [] where !["vars", "assert", "options"].contains(pair.key.scalar?.text ?? "") {
            note(pair.key.mark.line, "defaultTest '\(pair.key.scalar?.text ?? "")' has no flow equivalent and was not carried over")
        }
        for pair in defaultTest?["options"]?.mapping ?? [] where pair.key.scalar?.text != "provider" {
            note(pair.key.mark.line, "defaultTest option '\(pair.key.scalar?.text ?? "")' has no flow equivalent and was not carried over")
        }
        let assertions = PromptfooAssertions(judgeModel: grader ?? "openai/gpt-4o-mini", judgeModelNamed: grader != nil)
        let defaultChecks = (defaultTest?["assert"]?.sequence ?? []).flatMap { assertions.expectations($0, note: note) }
        let defaultVars = (defaultTest?["vars"]?.mapping ?? []).map { ($0.key.scalar?.text ?? "", $0.value) }
        let tests = try Self.tests(root["tests"], source: source, readFile: readFile, note: note)

        // The workflow.
        var lines = ["# Imported from \(source.path) by flow import; review it, then delete this line.", "flow: 1"]
        lines.append("name: " + YAMLText.quoted(name))
        if let description = root["description"]?.scalar?.text { lines.append("description: " + YAMLText.quoted(description)) }
        lines.append("model: " + YAMLText.quoted(providers[0].model))
        var combinations: [(String, Int, Int)] = []
        for (p, file) in promptFiles.enumerated() where p == 0 || file != nil {
            for m in providers.indices { combinations.append(("p\(p + 1)-" + Self.identifier(providers[m].model), p, m)) }
        }
        // With variants, each sets its own provider's params: none are shared.
        if combinations.count == 1 { lines += ImportedConversation.paramsLine(providers[0].params) }
        var defaults: [String: String] = [:]
        for (key, value) in defaultVars {
            if variables.contains(key) { defaults[key] = try Self.value(value, in: source.path, readFile: readFile) }
        }
        lines += conversation.lines { defaults[$0] }
        if combinations.count > 1 {
            lines.append("variants:")
            for (variantName, p, m) in combinations {
                var entry = "  - {name: \(variantName), model: " + YAMLText.quoted(providers[m].model)
                if !providers[m].params.isEmpty { entry += ", params: {" + providers[m].params.joined(separator: ", ") + "}" }
                if let file = promptFiles[p] {
                    if let system = file.system { entry += ", system: {file: \(system)}" } else if conversation.hasSystem { entry += ", system: \"\"" }
                    entry += ", steps: {\(conversation.steps[0].id): {user: {file: \(file.user)}}}"
                }
                lines.append(entry + "}")
            }
        }

        // Cases: one per test, and one per value of a var holding a list.
        var caseLines: [String] = []
        var unread: Set<String> = []
        var names: Set<String> = []
        var count = 0
        for test in tests {
            var checks = defaultChecks
            for assertion in test.asserts { checks += assertions.expectations(assertion, note: note) }
            // A case variable must be read by something: the prompt or an expectation.
            let read = Set(variables + TemplateNames.variables(in: checks))
            var given = defaultVars.filter { pair in !test.vars.contains { $0.0 == pair.0 } } + test.vars
            given = given.filter { pair in
                if read.contains(pair.0) { return true }
                if !unread.contains(pair.0) { unread.insert(pair.0); note(test.line, "var '\(pair.0)' is read by no prompt or carried assertion and was not carried over") }
                return false
            }
            for expanded in try Self.expand(given, in: test.file, readFile: readFile) {
                count += 1
                var caseName = test.name ?? "test \(count)"
                if names.contains(caseName) { caseName += " (\(count))" }
                names.insert(caseName)
                caseLines.append("  - name: " + YAMLText.quoted(caseName))
                var pairs = expanded
                for variable in conversation.variables where variable != conversation.history && defaults[variable] == nil && !pairs.contains(where: { $0.0 == variable }) {
                    // Nunjucks renders a var no test gives as empty text.
                    pairs.append((variable, "\"\""))
                }
                if !pairs.isEmpty { caseLines.append("    vars: {" + pairs.map { $0.0 + ": " + $0.1 }.joined(separator: ", ") + "}") }
                caseLines.append("    expect:")
                caseLines += (checks.isEmpty ? [conversation.pathCheck] : checks).map { "      - " + $0 }
            }
        }
        if !caseLines.isEmpty {
            lines.append("tests:")
            lines += caseLines
            note(root["tests"]?.mark.line ?? 1, "the \(count) cases have no recorded answers: record them once with flow test \(name).yaml --live --record (with the providers' keys); flow test then replays them offline")
        }
        var servers: [String: String] = [:]
        for provider in providers { if let server = provider.server { servers[server.name] = server.baseURL } }
        var imported = ImportedWorkflow(workflow: lines.joined(separator: "\n") + "\n", files: templates, notes: notes,
                                        required: conversation.variables.filter { defaults[$0] == nil })
        imported.needsRecording = !caseLines.isEmpty
        if !servers.isEmpty {
            imported.config = "providers:\n" + servers.keys.sorted().map { "  \($0):\n    base_url: \(servers[$0]!)\n" }.joined()
        }
        return imported
    }

    static func identifier(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
    }

    /// A var's value as YAML text: a `file://` text read, a JSON or YAML file parsed.
    static func value(_ node: Node, in file: String, readFile: (String) -> String?) throws(DiagnosticList) -> String {
        guard let text = node.scalar?.text, text.hasPrefix("file://") else { return YAMLText.value(node) }
        let path = String(text.dropFirst(7))
        let lower = path.lowercased()
        if [".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".mp3", ".wav", ".mp4", ".py", ".js"].contains(where: lower.hasSuffix) {
            throw DiagnosticList([Diagnostic(path: file, mark: node.mark, message: "var file '\(path)' is not text; flow sends images and documents as parts of a step, not as template values",
                                             hint: "write the part into the step by hand (user: [{image: {file: …}}, …])")])
        }
        guard let contents = readFile(path) else {
            throw DiagnosticList([Diagnostic(path: file, mark: node.mark, message: "cannot read '\(path)', which a var names", hint: "the path is relative to the config")])
        }
        if lower.hasSuffix(".json") || lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            do { if let parsed = try YAML.load(SourceFile(path: path, text: contents)) { return YAMLText.value(parsed) } } catch { throw DiagnosticList([error]) }
        }
        return YAMLText.quoted(contents)
    }

    /// The cases a test's vars make: a var holding a list gives one case per value.
    static func expand(_ vars: [(String, Node)], in file: String, readFile: (String) -> String?) throws(DiagnosticList) -> [[(String, String)]] {
        var cases: [[(String, String)]] = [[]]
        for (key, value) in vars {
            let values = try (value.sequence ?? [value]).map { node throws(DiagnosticList) in try Self.value(node, in: file, readFile: readFile) }
            cases = cases.flatMap { partial in values.map { partial + [(key, $0)] } }
        }
        return cases
    }

    static func load(_ path: String, readFile: (String) -> String?, at line: Int, in file: String) throws(DiagnosticList) -> Node? {
        guard let text = readFile(path) else {
            throw DiagnosticList([Diagnostic(path: file, mark: Mark(line: line, column: 1), message: "cannot read '\(path)'", hint: "the path is relative to the config")])
        }
        do { return try YAML.load(SourceFile(path: path, text: text)) } catch { throw DiagnosticList([error]) }
    }
}
