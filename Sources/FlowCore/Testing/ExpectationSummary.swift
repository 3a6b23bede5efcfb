extension Expectation {
    /// The check in a few words, as the report lists it: `step reply: contains "refund"`.
    public var summary: String {
        let text: String
        switch kind {
        case .equals(let value): text = "equals \(Expectations.quote(value))"
        case .contains(let value): text = "contains \(Expectations.quote(value))"
        case .notContains(let value): text = "does not contain \(Expectations.quote(value))"
        case .matches(let pattern): text = "matches /\(pattern)/"
        case .fuzzyMatch(let values): text = "fuzzy-matches " + values.map(Expectations.quote).joined(separator: " or ")
        case .json: text = "is JSON"
        case .jsonPath(let path, let equals, let pattern):
            text = "\(path) " + (equals.map { "equals \($0.serialized)" } ?? "matches /\(pattern ?? "")/")
        case .jsonSchema: text = "matches the schema"
        case .finishReason(let reason): text = "finish_reason \(reason)"
        case .path(let steps): text = "path " + steps.joined(separator: " → ")
        case .confidence(let minimum): text = "confidence at least \(minimum)"
        case .costAtMost(let limit): text = "cost_usd at most \(limit)"
        case .tokensAtMost(let limit): text = "tokens at most \(limit)"
        case .judge(let spec):
            let what = spec.rubric.map { "rubric \(Expectations.quote($0))" }
                ?? "compare_to \(Expectations.quote(spec.compareTo ?? "")) (\(spec.criteria.rawValue))"
            text = "judge \(spec.model): \(what), pass \(spec.pass) on \(spec.scale.lowerBound)-\(spec.scale.upperBound)"
        }
        let choice = choices.map { " (choices: \($0.rawValue))" } ?? ""
        return (step.map { "step \($0): " } ?? "") + (negated ? "not " : "") + text + choice
    }
}
