import FlowSource
import FlowYAML

/// A registry `ModelBasedClassify` eval's grader as a flow `judge:`. The spec's prompt (a Python
/// format string over `{input}`, `{completion}`, the sample's fields and `modelgraded_spec_args`)
/// becomes the rubric: `{completion}` is the answer flow's judge is shown, `{input}` the sample's
/// input as evals renders it for the grader, the spec args their text, other names the row's
/// fields. The grader picks one of `choice_strings`, worth `choice_scores`; flow's judge answers
/// that score, and the case passes at the top one (evals averages the scores instead).
struct EvalsModelGraded {
    /// The `{judge: …}` expectation line.
    var expectation: String
    /// The sample fields the rubric reads, which each row must carry.
    var fields: [String]

    init(args: Node, evalID: String, line: Int, source: SourceFile, readFile: (String) -> String?) throws(DiagnosticList) {
        func refuse(_ line: Int, _ message: String, hint: String? = nil, in path: String? = nil) -> DiagnosticList {
            DiagnosticList([Diagnostic(path: path ?? source.path, mark: Mark(line: line, column: 1), message: message, hint: hint)])
        }
        guard let specNode = args["modelgraded_spec"], let specName = specNode.scalar?.text else {
            throw refuse(line, "eval '\(evalID)' names no modelgraded_spec")
        }
        let (text, path) = try EvalsRegistryImport.read(specName + ".yaml", under: ["../modelgraded/", "modelgraded/", ""], readFile: readFile, at: specNode.mark.line, in: source.path)
        let loaded: Node?
        do { loaded = try YAML.load(SourceFile(path: path, text: text)) } catch { throw DiagnosticList([error]) }
        // The registry's files hold `NAME: {prompt: …}`; a spec may also be the mapping itself.
        guard let spec = loaded?["prompt"] != nil ? loaded : loaded?[specName] ?? loaded?.mapping?.first?.value, spec["prompt"] != nil else {
            throw refuse(1, "'\(path)' has no modelgraded spec with a prompt", in: path)
        }
        guard let promptText = spec["prompt"]?.scalar?.text else {
            throw refuse(spec["prompt"]!.mark.line, "spec '\(specName)' writes its prompt as chat messages, which flow's judge rubric does not take", in: path)
        }
        let ioPairs = spec["input_outputs"]?.mapping ?? []
        guard ioPairs.count == 1, ioPairs[0].key.scalar?.text == "input", ioPairs[0].value.scalar?.text == "completion" else {
            throw refuse(spec["input_outputs"]?.mark.line ?? 1, "spec '\(specName)' grades several completions (input_outputs), which flow's judge does not compare", in: path)
        }
        // Choices and their scores, as integers on flow's scale.
        let choices: [String]
        if let string = spec["choice_strings"]?.scalar?.text { choices = string.map { String($0) } }
        else { choices = (spec["choice_strings"]?.sequence ?? []).compactMap { $0.scalar?.text } }
        var scores: [(String, Double)] = []
        if spec["choice_scores"]?.scalar?.text == "from_strings" {
            for choice in choices { if let value = Double(choice) { scores.append((choice, value)) } }
        } else {
            for pair in spec["choice_scores"]?.mapping ?? [] { if let value = pair.value.scalar.flatMap({ Double($0.text) }) { scores.append((pair.key.scalar?.text ?? "", value)) } }
        }
        guard !choices.isEmpty, scores.count >= 2 else {
            throw refuse(spec["choice_strings"]?.mark.line ?? 1, "spec '\(specName)' has no choice_scores: evals counts which choice the grader picked, with no pass or fail, so a flow case would have nothing to pass on",
                         hint: "add choice_scores to the spec (the passing choice scores highest) and import again", in: path)
        }
        var factor = 1.0
        while factor < 1000, scores.contains(where: { ($0.1 * factor).rounded() != $0.1 * factor }) { factor *= 10 }
        let integers = scores.map { ($0.0, Int(($0.1 * factor).rounded())) }
        let low = integers.map(\.1).min()!, high = integers.map(\.1).max()!
        guard low < high else { throw refuse(spec["choice_scores"]!.mark.line, "spec '\(specName)' scores every choice the same", in: path) }

        // The prompt as a Mustache rubric.
        var given: [String: String] = [:]
        for pair in args["modelgraded_spec_args"]?.mapping ?? [] {
            guard let value = pair.value.scalar?.text else {
                throw refuse(pair.key.mark.line, "modelgraded_spec_args '\(pair.key.scalar?.text ?? "")' gives several values; flow imports one text per name")
            }
            given[pair.key.scalar?.text ?? ""] = value
        }
        var fields: [String] = []
        var rubric = ""
        var index = promptText.startIndex
        while index < promptText.endIndex {
            let character = promptText[index]
            let next = promptText.index(after: index)
            if character == "{", next < promptText.endIndex, promptText[next] == "{" { rubric.append("{"); index = promptText.index(after: next); continue }
            if character == "}", next < promptText.endIndex, promptText[next] == "}" { rubric.append("}"); index = promptText.index(after: next); continue }
            if character == "{" {
                guard let close = promptText[next...].firstIndex(of: "}") else { break }
                let key = String(promptText[next..<close])
                guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw refuse(spec["prompt"]!.mark.line, "spec '\(specName)' formats '{\(key)}', which is not a plain name", in: path)
                }
                switch key {
                case "completion": rubric += "(the answer to grade, shown below)"
                default:
                    if let value = given[key] { rubric += value } else {
                        rubric += "{{" + key + "}}"
                        if !fields.contains(key) { fields.append(key) }
                    }
                }
                index = promptText.index(after: close)
                continue
            }
            rubric.append(character)
            index = next
        }
        rubric += "\n\nThe grader's choices and their scores: " + integers.map { "\"\($0.0)\" = \($0.1)" }.joined(separator: ", ")
            + ". Answer with the score of the choice you would pick."
        self.fields = fields
        let model = "openai/gpt-4o-mini"
        expectation = "{judge: {rubric: " + YAMLText.quoted(rubric) + ", scale: \"\(low)-\(high)\", pass: \">= \(high)\", model: \(model)}}"
    }
}
