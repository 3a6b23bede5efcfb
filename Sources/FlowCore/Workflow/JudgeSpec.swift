import FlowSource
import FlowTemplate

/// A model-graded expectation (`judge:`): another model scores the answer against a rubric, or
/// against an expected text, on a scale, and the case passes when the score meets `pass`.
public struct JudgeSpec: Sendable {
    /// How the score must compare with a number (`pass: ">= 4"`).
    public struct Threshold: Sendable, Equatable, CustomStringConvertible {
        /// `>=`, `>`, `<=`, `<` or `==`.
        public var comparison: String
        /// The number the score is compared with.
        public var value: Int

        /// `>= 4`, `> 3`, `== 5`…; nil when `text` is none of these.
        public init?(_ text: String) {
            let trimmed = text.trimmingWhitespace
            guard let comparison = [">=", "<=", "==", ">", "<"].first(where: { trimmed.hasPrefix($0) }),
                  let value = Int(String(trimmed.dropFirst(comparison.count)).trimmingWhitespace) else { return nil }
            self.comparison = comparison
            self.value = value
        }

        /// Whether `score` meets the threshold.
        public func holds(for score: Int) -> Bool {
            switch comparison {
            case ">=": return score >= value
            case ">": return score > value
            case "<=": return score <= value
            case "<": return score < value
            default: return score == value
            }
        }

        /// As written: `>= 4`.
        public var description: String { "\(comparison) \(value)" }
    }

    /// What the judge is told to look for in `compare_to` mode.
    public enum Criteria: String, Sendable, CaseIterable {
        /// The answer states the expected facts and contradicts none.
        case factual
        /// The answer means the same as the expected text, whatever its wording.
        case semantic

        /// The sentence the judge's template reads as `{{criteria}}`.
        public var instruction: String {
            switch self {
            case .factual: return "Score how well the answer states the facts of the expected answer. Missing facts lower the score; any fact that contradicts the expected answer gives the lowest score. Wording and style do not matter."
            case .semantic: return "Score how closely the answer means the same as the expected answer. Wording does not matter; a different meaning, an omission or an addition lowers the score."
            }
        }
    }

    /// The rubric (a template over the case's variables); nil in `compare_to` mode.
    public var rubric: String?
    /// The expected text (a template over the case's variables); nil in rubric mode.
    public var compareTo: String?
    /// What `compare_to` compares on.
    public var criteria: Criteria = .factual
    /// The judge's model.
    public var model: ModelRef
    /// The lowest and highest score.
    public var scale: ClosedRange<Int> = 1...5
    /// What the score must meet; the top two scores of the scale when not written.
    public var pass: Threshold
    /// `template: {file: …}`: the judge's prompt, over the built-in one (or `templates/judge.*.mustache`).
    public var template: TemplateSource?
    /// The prompt the loader settled on (the template given, the project's, or the built-in one).
    public var prompt: TemplateSource?

    /// The file name of the judge's prompt in a project's `templates/`, where a project overrides it.
    public var templateFileName: String { rubric != nil ? "judge.rubric.mustache" : "judge.compare.mustache" }

    /// The built-in prompt for this mode, the same text as the repository's `templates/judge.*.mustache`.
    public var builtInPrompt: String { rubric != nil ? Self.rubricPrompt : Self.comparePrompt }

    /// The names a judge prompt may read.
    public static let promptVariables = ["answer", "rubric", "expected", "criteria", "scale_min", "scale_max"]

    /// The score and reason the judge must answer with, checked like a step's `schema:`.
    public var verdictSchema: JSON {
        .object([
            ("type", .string("object")),
            ("properties", .object([
                ("score", .object([("type", .string("integer")), ("minimum", .int(scale.lowerBound)), ("maximum", .int(scale.upperBound))])),
                ("reason", .object([("type", .string("string"))])),
            ])),
            ("required", .array([.string("score"), .string("reason")])),
            ("additionalProperties", .bool(false)),
        ])
    }

    /// The values the judge's prompt renders with.
    public func promptValues(answer: String) -> [String: TemplateValue] {
        var values: [String: TemplateValue] = [
            "answer": .string(answer), "scale_min": .string(String(scale.lowerBound)), "scale_max": .string(String(scale.upperBound)),
        ]
        if let rubric { values["rubric"] = .string(rubric) }
        if let compareTo {
            values["expected"] = .string(compareTo)
            values["criteria"] = .string(criteria.instruction)
        }
        return values
    }

    /// The failure message for the judge's answer `verdict` (the JSON the schema checked), or
    /// nil when the score meets `pass`. Every failure names the judge's reason.
    public func check(verdict: JSON, subject: String, negated: Bool) -> String? {
        guard let score = verdict["score"]?.int else { return "the judge gave no score: \(verdict.serialized)" }
        let reason = verdict["reason"]?.string ?? ""
        let holds = pass.holds(for: score)
        guard holds == negated else { return nil }
        return "judge \(model) scored \(subject) \(score) on \(scale.lowerBound)-\(scale.upperBound), "
            + "expected \(negated ? "not " : "")\(pass): \(reason)"
    }

    static let rubricPrompt = """
        You are grading an answer written by an AI assistant against a rubric.

        Rubric:
        {{rubric}}

        Answer to grade:
        <answer>
        {{answer}}
        </answer>

        Give a score from {{scale_min}} (does not meet the rubric at all) to {{scale_max}} (meets every point of it), \
        and a one-sentence reason that names what is missing or wrong, if anything. Answer with JSON only: \
        {"score": <integer>, "reason": "<one sentence>"}

        """

    static let comparePrompt = """
        You are comparing an answer written by an AI assistant with the expected answer.

        {{criteria}}

        Expected answer:
        <expected>
        {{expected}}
        </expected>

        Answer to grade:
        <answer>
        {{answer}}
        </answer>

        Give a score from {{scale_min}} (nothing in common) to {{scale_max}} (the same), and a one-sentence reason \
        that names what differs, if anything. Answer with JSON only: {"score": <integer>, "reason": "<one sentence>"}

        """
}
