import Foundation
import FlowTemplate

/// Checks expectations on a finished run. Pure: each check is a small function returning the
/// failure message, or nil when it holds.
public enum Expectations {
    /// The failure messages of `expectations` on `result` (empty when every one holds).
    public static func failures(_ expectations: [Expectation], result: RunResult) -> [(Expectation, String)] {
        expectations.compactMap { expectation in check(expectation, result: result).map { (expectation, $0) } }
    }

    /// The failure message of `expectation` on `result`, or nil when it holds.
    public static func check(_ expectation: Expectation, result: RunResult) -> String? {
        if let mode = expectation.choices, let id = expectation.step, let step = result.steps.last(where: { $0.id == id }) {
            return checkChoices(expectation, mode: mode, step: step, result: result)
        }
        let subject = expectation.step.map { "step \($0)" } ?? "the output"
        // The last answer of the step: a step visited or continued twice is judged on its final text.
        let stepResult = expectation.step.flatMap { id in result.steps.last { $0.id == id } }
        if let id = expectation.step, stepResult == nil, !isRunLevel(expectation.kind) {
            return "expected step \(id) to run, but it did not (path: \(pathText(result)))"
        }
        let text = stepResult?.content ?? result.output ?? ""
        let not = expectation.negated ? "not " : ""
        func verdict(_ holds: Bool, _ message: @autoclosure () -> String) -> String? {
            holds != expectation.negated ? nil : message()
        }
        switch expectation.kind {
        case .equals(let expected):
            let actual = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return verdict(actual == expected, "expected \(subject) \(not)to equal \(quote(expected)), got \(quote(actual))")
        case .contains(let needle):
            return verdict(text.contains(needle), "expected \(subject) \(not)to contain \(quote(needle)), got \(quote(text))")
        case .notContains(let needle):
            return verdict(!text.contains(needle), "expected \(subject) \(expectation.negated ? "" : "not ")to contain \(quote(needle)), got \(quote(text))")
        case .matches(let pattern):
            return verdict(Regex.found(pattern, in: text), "expected \(subject) \(not)to match /\(pattern)/, got \(quote(text))")
        case .fuzzyMatch(let references):
            let holds = references.contains { FuzzyMatch.holds(text, $0) }
            let what = references.count == 1 ? quote(references[0]) : "one of " + references.map(quote).joined(separator: ", ")
            return verdict(holds, "expected \(subject) \(not)to fuzzy-match \(what), got \(quote(text))")
        case .json:
            return verdict((try? JSON.parse(text)) != nil, "expected \(subject) \(not)to be JSON, got \(quote(text))")
        case .jsonPath(let path, let equals, let pattern):
            guard let json = try? JSON.parse(text) else { return "expected \(subject) to be JSON for \(path), got \(quote(text))" }
            guard let value = JSONPath.value(at: path, in: json) else {
                return expectation.negated ? nil : "expected \(path) in \(subject), but it is missing"
            }
            if let equals {
                return verdict(value == equals, "expected \(path) in \(subject) \(not)to equal \(equals.serialized), got \(value.serialized)")
            }
            let string = value.string ?? value.serialized
            return verdict(Regex.found(pattern ?? "", in: string), "expected \(path) in \(subject) \(not)to match /\(pattern ?? "")/, got \(value.serialized)")
        case .jsonSchema(let schema):
            guard let json = try? JSON.parse(text) else { return "expected \(subject) to be JSON for json_schema, got \(quote(text))" }
            let problems = JSONSchema.validate(json, against: schema, formatAssertion: expectation.formatAssertion)
            return verdict(problems.isEmpty, problems.isEmpty ? "expected \(subject) not to match the schema"
                           : "expected \(subject) to match the schema: " + problems.joined(separator: "; "))
        case .finishReason(let expected):
            let actual = stepResult?.finishReason.name ?? result.steps.last?.finishReason.name ?? "none"
            return verdict(actual == expected, "expected finish_reason \(not)\(expected), got \(actual) at \(subject)")
        case .path(let expected):
            let actual = steps(result)
            return verdict(actual == expected, "expected path \(not)\(expected.joined(separator: " → ")), got \(actual.joined(separator: " → "))")
        case .confidence(let minimum):
            guard let probability = stepResult?.firstTokenProbability else {
                return "expected a confidence at \(subject), but the answer has no log probabilities"
            }
            return verdict(probability >= minimum, "expected confidence \(not)at least \(minimum) at \(subject), got \(rounded(probability))")
        case .costAtMost(let limit):
            guard let cost = result.answerCostUSD else { return "expected cost_usd at most \(limit), but the run's cost is unknown (a model has no price)" }
            return verdict(cost <= limit, "expected cost_usd \(not)at most \(limit), got \(rounded(cost))")
        case .tokensAtMost(let limit):
            let tokens = result.totals.inputTokens + result.totals.outputTokens
            return verdict(tokens <= limit, "expected tokens \(not)at most \(limit), got \(tokens)")
        case .judge:
            // Judged by a model call, which the test runner makes (TestRunner+Judge); never here.
            return "a judged expectation needs its judge's verdict"
        }
    }

    /// `choices: any|all`: the check on each answer of the step, as if each were its only one.
    static func checkChoices(_ expectation: Expectation, mode: Expectation.Choices, step: StepResult, result: RunResult) -> String? {
        guard step.choices.count > 1 else {
            return "expected several answers from step \(step.id) for choices: \(mode.rawValue), but it gave one (set params: {n: 2} or more)"
        }
        var single = expectation
        single.choices = nil
        let failures = step.choices.enumerated().compactMap { index, text -> String? in
            var alone = step
            alone.content = text
            alone.choices = []
            var view = result
            view.steps = [alone]
            return check(single, result: view).map { "choice \(index + 1): \($0)" }
        }
        switch mode {
        case .all: return failures.isEmpty ? nil : failures.joined(separator: "; ")
        case .any: return failures.count < step.choices.count ? nil : "no choice of \(step.choices.count) passes: " + failures.joined(separator: "; ")
        }
    }

    static func isRunLevel(_ kind: Expectation.Kind) -> Bool {
        switch kind {
        case .path, .costAtMost, .tokensAtMost: return true
        default: return false
        }
    }

    /// Step ids in the order the run visited them (a continued or retried visit counts once).
    static func steps(_ result: RunResult) -> [String] {
        var ids: [String] = []
        var previous: PathEntry?
        for entry in result.path {
            let sameVisit = previous?.step == entry.step && previous?.followed.staysInVisit == true
            if !sameVisit { ids.append(entry.step) }
            previous = entry
        }
        return ids
    }

    static func pathText(_ result: RunResult) -> String { steps(result).joined(separator: " → ") }

    static func quote(_ text: String) -> String {
        let short = text.count > 120 ? String(text.prefix(117)) + "..." : text
        return JSON.string(short).serialized
    }

    static func rounded(_ value: Double) -> String {
        let text = String(format: "%.4f", value)
        return text.contains(".") ? String(text.reversed().drop { $0 == "0" }.reversed()).trimmingCharacters(in: CharacterSet(charactersIn: ".")) : text
    }
}

extension StepResult {
    /// The probability of the answer's first token, when logprobs were returned.
    public var firstTokenProbability: Double? { logprobs?.first?.probability }
}

/// `$.a.b[0].c` lookups.
public enum JSONPath {
    /// The value at `path` (`$`, `.name`, `[index]`) in `json`, or nil.
    public static func value(at path: String, in json: JSON) -> JSON? {
        var rest = Substring(path)
        guard rest.hasPrefix("$") else { return nil }
        rest = rest.dropFirst()
        var current = json
        while !rest.isEmpty {
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let name = rest.prefix { $0 != "." && $0 != "[" }
                rest = rest.dropFirst(name.count)
                guard let next = current[String(name)] else { return nil }
                current = next
            } else if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<close]),
                      let next = current[index] else { return nil }
                current = next
                rest = rest[rest.index(after: close)...]
            } else {
                return nil
            }
        }
        return current
    }
}
