import Foundation

/// Evaluates `if:` conditions on an answer. Pure.
enum Conditions {
    /// Whether `condition` holds for `text` (prefill included) and the answer's log probabilities.
    /// Throws `.stepFailed` when a confidence test meets an answer without log probabilities.
    static func holds(_ condition: Condition, text: String, logprobs: [TokenLogprob]?, step: String) throws(RunError) -> Bool {
        switch condition {
        case .matches(let pattern):
            // The pattern was checked when the workflow was decoded.
            return Regex.found(pattern, in: text)
        case .contains(let needle):
            return text.contains(needle)
        case .equals(let expected):
            return text.trimmingCharacters(in: .whitespacesAndNewlines) == expected
        case .json:
            return (try? JSON.parse(text)) != nil
        case .confidenceBelow(let threshold):
            guard let first = logprobs?.first else {
                throw RunError(.stepFailed, "step '\(step)' tests confidence_below, but the provider returned no log probabilities", step: step)
            }
            return first.probability < threshold
        case .not(let inner):
            return try !holds(inner, text: text, logprobs: logprobs, step: step)
        }
    }

    /// Why `chosen` (one of `cases`, or nil for the default) was taken, for the branch event:
    /// the condition as written, and the first token's probability whenever any of the cases
    /// tests confidence, whether or not that test held, so a reviewer sees how near the
    /// threshold an answer was.
    static func reason(_ chosen: BranchCase?, among cases: [BranchCase], logprobs: [TokenLogprob]?) -> [(String, JSON)] {
        var fields: [(String, JSON)] = chosen.map { [("condition", .string($0.condition.map(describe) ?? "always"))] } ?? []
        let testsConfidence = cases.contains { if case .confidenceBelow = $0.condition?.innermost { true } else { false } }
        if testsConfidence, let first = logprobs?.first { fields.append(("confidence", .double(first.confidence))) }
        return fields
    }

    /// The condition as a workflow writes it: `contains: "refund"`, `not: {json}`.
    static func describe(_ condition: Condition) -> String {
        switch condition {
        case .matches(let pattern): return "matches: \(JSON.string(pattern).serialized)"
        case .contains(let needle): return "contains: \(JSON.string(needle).serialized)"
        case .equals(let text): return "equals: \(JSON.string(text).serialized)"
        case .json: return "json"
        case .confidenceBelow(let threshold): return "confidence_below: \(threshold)"
        case .not(let inner): return "not: {\(describe(inner))}"
        }
    }

    /// The first case whose condition holds, or nil when none does.
    static func choose(_ cases: [BranchCase], text: String, logprobs: [TokenLogprob]?, step: String) throws(RunError) -> BranchCase? {
        for branchCase in cases {
            guard let condition = branchCase.condition else { return branchCase }
            if try holds(condition, text: text, logprobs: logprobs, step: step) { return branchCase }
        }
        return nil
    }
}

extension Condition {
    /// The condition inside any `not:`.
    var innermost: Condition {
        if case .not(let inner) = self { return inner.innermost }
        return self
    }
}
