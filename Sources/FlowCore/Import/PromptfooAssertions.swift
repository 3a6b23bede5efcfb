import Foundation
import FlowSource
import FlowYAML

/// promptfoo assertions as flow expectations (YAML text), as promptfoo's documentation defines
/// them. Deterministic checks map one to one (`icontains` as a case-insensitive pattern,
/// `contains-any` as an alternation, `contains-all` as several checks, `not-…` under `not:`);
/// `llm-rubric`, `model-graded-closedqa` and `factuality` become `judge:`; `cost` becomes
/// `cost_usd`. What flow has no equivalent of (`javascript`, `python`, `similar`, `latency`,
/// weights…) is listed, never dropped silently and never turned into a check that always passes.
struct PromptfooAssertions {
    /// The judge model when an assertion or `defaultTest.options.provider` names none.
    var judgeModel: String
    var judgeModelNamed: Bool

    /// Values are Nunjucks templates over the case's variables, as flow's are Mustache ones.
    static func template(_ text: String, line: Int) throws(JinjaToMustache.Refusal) -> String {
        text.contains("{{") || text.contains("{%") ? try JinjaToMustache.translate(text, firstLine: line).text : text
    }

    /// The expectations for one assertion.
    func expectations(_ node: Node, note: (Int, String) -> Void) -> [String] {
        let line = node.mark.line
        guard var type = node["type"]?.scalar?.text else {
            note(line, "an assertion without a type was not carried over")
            return []
        }
        for key in ["weight", "metric"] where node[key] != nil && !(key == "weight" && node[key]?.scalar?.text == "1") {
            note(node[key]!.mark.line, "assertion '\(key)' is not carried over: every flow expectation must pass, none is weighted or named")
        }
        // A graded assertion's `provider` is its judge's model; anywhere else it is not carried.
        let graded = ["llm-rubric", "model-graded-closedqa", "factuality"].contains(type)
        for key in ["transform", "provider", "rubricPrompt", "config", "contextTransform"] where node[key] != nil && !(key == "provider" && graded) {
            note(node[key]!.mark.line, "assertion '\(key)' of '\(type)' is not carried over")
        }
        let negated = type.hasPrefix("not-")
        if negated { type.removeFirst(4) }
        var model = judgeModel
        if let provider = node["provider"]?.scalar?.text {
            model = PromptfooProvider(id: provider, config: nil, label: nil, line: line, note: note).model
        } else if let provider = node["provider"]?["id"]?.scalar?.text {
            model = PromptfooProvider(id: provider, config: nil, label: nil, line: line, note: note).model
        }
        let checks: [String]
        do {
            checks = try Self.checks(type: type, value: node["value"], threshold: node["threshold"], model: model,
                                     modelNamed: judgeModelNamed || node["provider"] != nil, line: line, note: note)
        } catch {
            note(error.line, "assertion '\(type)' is not carried over: \(error.reason)")
            return []
        }
        guard !checks.isEmpty else { return [] }
        if negated {
            // not-contains-all: not every one; not-contains-any: none of them.
            if type == "contains" { return checks.map { $0.replacingOccurrences(of: "{contains:", with: "{not_contains:") } }
            if checks.count > 1 {
                note(line, "'not-\(type)' is not carried over: flow's not: negates one check")
                return []
            }
            return ["{not: " + checks[0] + "}"]
        }
        return checks
    }

    static func strings(_ value: Node?) -> [String] {
        if let items = value?.sequence { return items.compactMap { $0.scalar?.text } }
        guard let text = value?.scalar?.text else { return [] }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func checks(type: String, value: Node?, threshold: Node?, model: String, modelNamed: Bool, line: Int,
                       note: (Int, String) -> Void) throws(JinjaToMustache.Refusal) -> [String] {
        func text() throws(JinjaToMustache.Refusal) -> String {
            guard let scalar = value?.scalar?.text else { throw JinjaToMustache.Refusal(line: line, reason: "its value is not a text") }
            return try template(scalar, line: line)
        }
        func quoted(_ text: String) -> String { YAMLText.quoted(text) }
        func judged(_ check: String) -> String {
            if !modelNamed { note(line, "'\(type)' is graded by \(model) in flow (promptfoo's default grader is OpenAI's); name another with defaultTest.options.provider or judge: model:") }
            var pass = ""
            if let value = threshold?.scalar?.text, let number = Double(value) {
                // promptfoo scores 0…1; flow's judge scores 1…5.
                pass = ", pass: \">= \(max(1, min(5, Int((1 + 4 * number).rounded(.up)))))\""
                note(line, "threshold \(value) on a 0–1 score is pass: \(pass.dropFirst(8)) on flow's 1–5 judge scale")
            }
            return "{judge: {" + check + ", model: " + quoted(model) + pass + "}}"
        }
        switch type {
        case "equals":
            if let value, value.scalar == nil { return ["{json: " + YAMLText.value(value) + "}"] }
            return ["{equals: " + quoted(try text()) + "}"]
        case "contains": return ["{contains: " + quoted(try text()) + "}"]
        case "icontains": return ["{matches: " + quoted("(?i)" + YAMLText.literalPattern(try text())) + "}"]
        case "contains-any", "icontains-any":
            let words = try strings(value).map { word throws(JinjaToMustache.Refusal) in YAMLText.literalPattern(try template(word, line: line)) }
            return ["{matches: " + quoted((type.hasPrefix("i") ? "(?i)" : "") + "(" + words.joined(separator: "|") + ")") + "}"]
        case "contains-all":
            return try strings(value).map { word throws(JinjaToMustache.Refusal) in "{contains: " + quoted(try template(word, line: line)) + "}" }
        case "icontains-all":
            return try strings(value).map { word throws(JinjaToMustache.Refusal) in "{matches: " + quoted("(?i)" + YAMLText.literalPattern(try template(word, line: line))) + "}" }
        case "starts-with": return ["{matches: " + quoted("^" + YAMLText.literalPattern(try text())) + "}"]
        case "regex": return ["{matches: " + quoted(try text()) + "}"]
        case "is-json":
            guard let value else { return ["{json: true}"] }
            if let path = value.scalar?.text, path.hasPrefix("file://") {
                return ["{json_schema: {file: " + quoted(String(path.dropFirst(7))) + "}}"]
            }
            return ["{json_schema: " + YAMLText.value(value) + "}"]
        case "llm-rubric", "model-graded-closedqa":
            return [judged("rubric: " + quoted(try text()))]
        case "factuality":
            return [judged("compare_to: " + quoted(try text()) + ", criteria: factual")]
        case "cost":
            guard let limit = threshold?.scalar?.text, Double(limit) != nil else {
                throw JinjaToMustache.Refusal(line: line, reason: "a cost assertion needs a numeric threshold")
            }
            return ["{cost_usd: " + limit + "}"]
        case "javascript", "python", "ruby", "webhook":
            throw JinjaToMustache.Refusal(line: line, reason: "flow runs no \(type) code in expectations; write the check as matches:, json_path: or judge:")
        case "similar", "levenshtein", "rouge-n", "bleu", "gleu", "meteor", "perplexity", "perplexity-score":
            throw JinjaToMustache.Refusal(line: line, reason: "flow has no \(type) score; a judge with compare_to and criteria: semantic is the nearest check")
        case "latency":
            throw JinjaToMustache.Refusal(line: line, reason: "flow has no latency expectation (flow test reports each case's time)")
        default:
            throw JinjaToMustache.Refusal(line: line, reason: "flow has no equivalent of '\(type)'")
        }
    }

    /// A CSV `__expected` cell: `type: value`, `type(threshold): value`, or a bare value (equals).
    static func cell(_ text: String, line: Int) -> Node {
        func scalar(_ text: String) -> Node { Node(.scalar(Scalar(text: text, style: .doubleQuoted)), mark: Mark(line: line, column: 1)) }
        var pairs: [Pair] = []
        if let match = text.firstMatch(of: /^(not-)?([a-z][a-z-]*)(?:\(([0-9.]+)\))?:\s?(.*)$/.dotMatchesNewlines()) {
            pairs.append(Pair(key: scalar("type"), value: scalar(String(match.1 ?? "") + String(match.2))))
            if let threshold = match.3 { pairs.append(Pair(key: scalar("threshold"), value: Node(.scalar(Scalar(text: String(threshold), style: .plain)), mark: Mark(line: line, column: 1)))) }
            let value = String(match.4)
            if !value.isEmpty { pairs.append(Pair(key: scalar("value"), value: scalar(value))) }
        } else if ["is-json", "contains-json"].contains(text) {
            pairs.append(Pair(key: scalar("type"), value: scalar(text)))
        } else {
            pairs = [Pair(key: scalar("type"), value: scalar("equals")), Pair(key: scalar("value"), value: scalar(text))]
        }
        return Node(.mapping(pairs), mark: Mark(line: line, column: 1))
    }
}
