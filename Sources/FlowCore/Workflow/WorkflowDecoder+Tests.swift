import FlowSource
import FlowTemplate
import FlowYAML

/// Decoding of `tests:`. Dataset files are named here and read by the loader.
extension WorkflowDecoder {
    static let caseKeys = ["name", "vars", "mock", "expect", "repeat", "pass_rate", "dataset", "inputs", "data"]
    static let expectationKeys = ["equals", "contains", "not_contains", "matches", "fuzzy_match", "json", "json_path", "json_schema", "schema",
                                  "finish_reason", "path", "confidence", "cost_usd", "tokens", "not", "step", "judge"]
    static let judgeKeys = ["rubric", "compare_to", "criteria", "model", "pass", "scale", "template"]

    /// The cases written inline, and the dataset entries (a template case plus the file it names).
    mutating func testCases(_ node: Node, inputs: [String] = []) -> (cases: [TestCase], datasets: [(TestCase, String, Mark)]) {
        guard let items = sequence(node, "tests") else { return ([], []) }
        var cases: [TestCase] = []
        var datasets: [(TestCase, String, Mark)] = []
        for (index, item) in items.enumerated() {
            guard let pairs = mapping(item, "a test case") else { continue }
            checkKeys(pairs, allowed: Self.caseKeys, in: "a test case")
            var testCase = TestCase(name: item["name"].flatMap { string($0, "name") } ?? "case \(index + 1)", mark: item.mark,
                                    vars: [:], mock: nil, expectations: [])
            if let data = item["data"], let names = sequence(data, "data") {
                testCase.dataOnly = names.compactMap { string($0, "a data-only variable") }
            }
            if let mock = item["mock"] { testCase.mock = mockReplies(mock) }
            if let expect = item["expect"], let list = sequence(expect, "expect") {
                testCase.expectations = list.compactMap { expectation($0) }
            }
            if let vars = item["vars"], let varPairs = mapping(vars, "vars") {
                let known = Self.caseVariables(inputs: inputs, testCase)
                for pair in varPairs {
                    let name = pair.key.scalar?.text ?? ""
                    testCase.vars[name] = Self.templateValue(pair.value)
                    if !known.contains(name) { reportUnknownVariable(name, at: pair.key.mark, known: known, in: "test '\(testCase.name)' sets") }
                }
            }
            if let inputs = item["inputs"], let lines = sequence(inputs, "inputs") {
                testCase.inputs = lines.compactMap { string($0, "an input line") }
            }
            if let value = item["repeat"] { testCase.repeatCount = count(value, "repeat", in: 1...1000) ?? 1 }
            if let value = item["pass_rate"] { testCase.passRate = number(value, "pass_rate", in: 0...1) ?? 1 }
            if let dataset = item["dataset"] {
                if let path = string(dataset, "dataset") { datasets.append((testCase, path, dataset.mark)) }
            } else {
                cases.append(testCase)
            }
        }
        return (cases, datasets)
    }

    /// The names a case may set: the workflow's inputs, its data-only names, and the names its
    /// expectation templates read.
    static func caseVariables(inputs: [String], _ testCase: TestCase) -> [String] {
        inputs + testCase.dataOnly + testCase.expectations.flatMap(\.templateVariables)
    }

    /// A case variable or dataset column that nothing reads: almost always a misspelling.
    mutating func reportUnknownVariable(_ name: String, at mark: Mark, known: [String], in what: String) {
        report(mark, "\(what) '\(name)', which is not a variable of the workflow",
               hint: Suggestion.hint(for: name, in: known)
                   ?? "variables: \(known.isEmpty ? "none" : known.joined(separator: ", ")); a value only expectations read goes in the case's 'data: [\(name)]'")
    }

    mutating func expectation(_ node: Node, negated: Bool = false) -> Expectation? {
        guard var expectation = plainExpectation(node, negated: negated) else { return nil }
        // A text with {{…}} is a template over the case's variables, rendered per case.
        for text in expectation.texts where text.containsASCII("{{") {
            do {
                expectation.templateVariables += try Template(text).variables.map { String($0.split(separator: ".").first ?? "") }
            } catch {
                report(node.mark, "the expectation's template is invalid: \(error.message)", hint: error.hint)
                return nil
            }
        }
        return expectation
    }

    private mutating func plainExpectation(_ node: Node, negated: Bool) -> Expectation? {
        guard let pairs = mapping(node, "an expectation") else { return nil }
        var allowed = Self.expectationKeys
        for key in ["equals", "matches", "format_assertion", "choices"] where !allowed.contains(key) { allowed.append(key) }
        checkKeys(pairs, allowed: allowed, in: "an expectation")
        // An unknown key is said once: read as the check, it would draw a second, stranger error.
        if pairs.contains(where: { !allowed.contains($0.key.scalar?.text ?? "") }) { return nil }
        let step = node["step"].flatMap { string($0, "step") }
        var choices: Expectation.Choices?
        if let choicesNode = node["choices"], let text = string(choicesNode, "choices") {
            if let mode = Expectation.Choices(rawValue: text) { choices = mode } else {
                report(choicesNode.mark, "'choices' must be any or all, got '\(text)'", hint: Suggestion.hint(for: text, in: ["any", "all"]))
            }
            if step == nil { report(choicesNode.mark, "'choices' needs 'step:', the step that asked for several answers (n)") }
        }
        if let inner = node["not"] {
            guard var expectation = plainExpectation(inner, negated: !negated) else { return nil }
            if expectation.step == nil { expectation.step = step }
            return expectation
        }
        let kinds = pairs.compactMap { $0.key.scalar?.text }.filter { $0 != "step" && $0 != "format_assertion" && $0 != "choices"
            && !($0 == "equals" && node["json_path"] != nil)
            && !($0 == "matches" && node["json_path"] != nil) }
        guard kinds.count == 1, let key = kinds.first, let value = node[key] else {
            report(node.mark, kinds.isEmpty ? "an expectation needs a check" : "an expectation has one check, got \(kinds.joined(separator: " and "))",
                   hint: "for example {contains: refund} or {step: classify, finish_reason: stop}")
            return nil
        }
        if let flag = node["format_assertion"], key != "json_schema", key != "schema" {
            report(flag.mark, "'format_assertion' goes with a schema check (json_schema or schema), not '\(key)'")
        }
        if let flag = node["choices"], ["finish_reason", "path", "confidence", "cost_usd", "tokens"].contains(key) {
            report(flag.mark, "'choices' goes with a check of the text (contains, equals, matches, json…), not '\(key)'")
        }
        func make(_ kind: Expectation.Kind) -> Expectation {
            var expectation = Expectation(kind: kind, step: step, negated: negated, mark: node.mark)
            expectation.choices = choices
            return expectation
        }
        switch key {
        case "equals": return string(value, "equals").map { make(.equals($0)) }
        case "contains": return string(value, "contains").map { make(.contains($0)) }
        case "not_contains": return string(value, "not_contains").map { make(.notContains($0)) }
        case "fuzzy_match":
            // One text, or a list of them (any may match), as an eval's `ideal` is.
            if let items = value.sequence {
                let texts = items.compactMap { string($0, "fuzzy_match") }
                guard texts.count == items.count, !texts.isEmpty else {
                    if items.isEmpty { report(value.mark, "fuzzy_match needs a text or a non-empty list of texts") }
                    return nil
                }
                return make(.fuzzyMatch(texts))
            }
            return string(value, "fuzzy_match").map { make(.fuzzyMatch([$0])) }
        case "matches":
            guard let pattern = string(value, "matches"), pattern.containsASCII("{{") || validRegex(pattern, at: value) else { return nil }
            return make(.matches(pattern))
        case "json": return make(.json)
        case "json_path":
            guard let path = string(value, "json_path") else { return nil }
            guard path.hasPrefix("$") else {
                report(value.mark, "json_path must start with '$', got '\(path)'", hint: "for example $.label or $.items[0].name")
                return nil
            }
            if let expected = node["equals"] { return make(.jsonPath(path, equals: Self.json(expected), matches: nil)) }
            if let patternNode = node["matches"], let pattern = string(patternNode, "matches"),
               pattern.containsASCII("{{") || validRegex(pattern, at: patternNode) {
                return make(.jsonPath(path, equals: nil, matches: pattern))
            }
            report(node.mark, "json_path needs 'equals' or 'matches'")
            return nil
        case "json_schema", "schema":
            var expectation = make(.jsonSchema(schema(value)))
            expectation.formatAssertion = formatAssertion(node)
            return expectation
        case "finish_reason":
            guard let reason = string(value, "finish_reason") else { return nil }
            guard BranchReason(rawValue: reason) != nil else {
                report(value.mark, "'\(reason)' is not a finish reason", hint: Suggestion.hint(for: reason, in: BranchReason.allCases.map(\.rawValue)))
                return nil
            }
            return make(.finishReason(reason))
        case "path":
            guard let items = sequence(value, "path") else { return nil }
            return make(.path(items.compactMap { string($0, "a step id") }))
        case "judge": return judge(value).map { make(.judge($0)) }
        case "confidence": return number(value, "confidence", in: 0...1).map { make(.confidence($0)) }
        case "cost_usd": return number(value, "cost_usd", in: 0...1_000_000).map { make(.costAtMost($0)) }
        default: return count(value, "tokens", in: 0...Int.max).map { make(.tokensAtMost($0)) }
        }
    }

    /// `judge: {rubric | compare_to (+ criteria), model, pass, scale, template}`.
    private mutating func judge(_ node: Node) -> JudgeSpec? {
        guard let pairs = mapping(node, "judge") else { return nil }
        checkKeys(pairs, allowed: Self.judgeKeys, in: "'judge'")
        let rubric = node["rubric"].flatMap { string($0, "rubric") }
        let compareTo = node["compare_to"].flatMap { string($0, "compare_to") }
        guard (rubric == nil) != (compareTo == nil) else {
            report(node.mark, rubric == nil ? "'judge' needs a 'rubric' or 'compare_to'" : "'judge' takes 'rubric' or 'compare_to', not both",
                   hint: "rubric: what a good answer does; compare_to: the expected answer, judged on 'criteria' (factual or semantic)")
            return nil
        }
        guard let modelNode = node["model"] else {
            report(node.mark, "'judge' needs a 'model'", hint: "the model that grades, for example model: openai/gpt-4o-mini")
            return nil
        }
        guard let model = modelRef(modelNode) else { return nil }
        var scale = 1...5
        if let scaleNode = node["scale"], let text = string(scaleNode, "scale") {
            let bounds = text.split(separator: "-").map { Int(String($0).trimmingWhitespace) }
            if bounds.count == 2, let low = bounds[0], let high = bounds[1], low < high, high - low <= 100 {
                scale = low...high
            } else {
                report(scaleNode.mark, "'scale' must be LOW-HIGH with LOW below HIGH, got '\(text)'", hint: "for example scale: 1-5 or scale: 0-10")
            }
        }
        var pass = JudgeSpec.Threshold(">= \(scale.upperBound - 1)")!
        if let passNode = node["pass"], let text = passNode.scalar?.text {
            if let threshold = JudgeSpec.Threshold(text), scale.contains(threshold.value) { pass = threshold } else {
                report(passNode.mark, "'pass' must compare the score with a number of the scale \(scale.lowerBound)-\(scale.upperBound), got '\(text)'",
                       hint: "for example pass: \">= \(scale.upperBound - 1)\" (>=, >, <=, < or ==)")
            }
        }
        var spec = JudgeSpec(rubric: rubric, compareTo: compareTo, model: model, scale: scale, pass: pass)
        if let criteriaNode = node["criteria"], let text = string(criteriaNode, "criteria") {
            if compareTo == nil { report(criteriaNode.mark, "'criteria' goes with 'compare_to', not 'rubric'", hint: "say what to look for in the rubric") }
            if let criteria = JudgeSpec.Criteria(rawValue: text) { spec.criteria = criteria } else {
                report(criteriaNode.mark, "'criteria' must be factual or semantic, got '\(text)'",
                       hint: Suggestion.hint(for: text, in: JudgeSpec.Criteria.allCases.map(\.rawValue)))
            }
        }
        spec.template = node["template"].flatMap { template($0, "template") }
        return spec
    }

    private mutating func validRegex(_ pattern: String, at node: Node) -> Bool {
        if Regex.isValid(pattern) { return true }
        report(node.mark, "'\(pattern)' is not a valid regular expression", hint: "ICU syntax; (?i) makes it case-insensitive")
        return false
    }

    /// Checks expectations that name steps and reports unknown ones, with did-you-mean.
    mutating func checkTests(_ cases: [TestCase], steps: [Step]) {
        let ids = steps.map(\.id)
        for testCase in cases {
            for expectation in testCase.expectations {
                if let step = expectation.step, !ids.contains(step) {
                    report(expectation.mark, "test '\(testCase.name)' checks step '\(step)', which is not a step",
                           hint: Suggestion.hint(for: step, in: ids) ?? "steps: " + ids.joined(separator: ", "))
                }
                if case .path(let path) = expectation.kind {
                    for id in path where !ids.contains(id) {
                        report(expectation.mark, "test '\(testCase.name)' expects a path through '\(id)', which is not a step",
                               hint: Suggestion.hint(for: id, in: ids))
                    }
                }
            }
        }
    }
}
