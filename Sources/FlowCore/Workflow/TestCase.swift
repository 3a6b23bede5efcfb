import FlowSource
import FlowTemplate

/// One regression case from a workflow's `tests:` (or one row of a dataset it names).
public struct TestCase: Sendable {
    /// The case's name in reports.
    public var name: String
    /// Where the case (or its dataset entry) is written.
    public var mark: Mark
    /// Inputs as `--var` would give them, on top of the workflow's defaults.
    public var vars: [String: TemplateValue]
    /// Scripted replies: when set, the case runs on the mock provider whatever the models say.
    public var mock: [MockReply]?
    /// The checks on each run.
    public var expectations: [Expectation]
    /// Runs of the case; it passes when at least `passRate` of them pass (flaky live evals).
    public var repeatCount = 1
    /// The share of runs that must pass.
    public var passRate = 1.0
    /// Variables that only expectations read (`data: [expected]`): not workflow inputs, not unknown.
    public var dataOnly: [String] = []
    /// Lines that answer the workflow's `user: {ask:}` turns in order; when they run out, input has ended.
    public var inputs: [String] = []
}

/// One check on a run: on the output or a step's text, on a step, or on the whole run.
public struct Expectation: Sendable {
    /// What is checked.
    public indirect enum Kind: Sendable {
        case equals(String)
        case contains(String)
        case notContains(String)
        case matches(String)
        /// One of the texts and the answer contain one another once both are normalized
        /// (`FuzzyMatch`: lowercased, punctuation and articles dropped, whitespace collapsed).
        case fuzzyMatch([String])
        case json
        /// `$.a.b[0]` in the JSON text equals the value, or matches the pattern.
        case jsonPath(String, equals: JSON?, matches: String?)
        case jsonSchema(JSON)
        case finishReason(String)
        /// The step ids in order.
        case path([String])
        /// The first token's probability at least this.
        case confidence(Double)
        case costAtMost(Double)
        case tokensAtMost(Int)
        /// Another model grades the answer (`judge:`).
        case judge(JudgeSpec)
    }

    /// What is checked.
    public var kind: Kind
    /// The step whose text (or finish reason, confidence) is checked; nil means the run's output.
    public var step: String?
    /// Whether the check is inverted (`not:`).
    public var negated: Bool
    /// `choices: any|all`: the check runs on every answer of a step that asked for several (`n`).
    public var choices: Choices?

    /// Which of a step's several answers must pass.
    public enum Choices: String, Sendable {
        case any, all
    }
    /// Where the expectation is written.
    public var mark: Mark
    /// The file the expectation is written in, when not the workflow (a dataset row's own).
    public var file: String? = nil
    /// `format_assertion: true` on a schema check: `format` values are checked.
    public var formatAssertion = false
    /// The case variables its text reads: `{equals: "{{expected}}"}` compares with each case's
    /// (or dataset row's) `expected`, so these names are data for checks, not unknown inputs.
    public var templateVariables: [String] = []

    /// The texts of the check that may be templates over the case's variables.
    var texts: [String] {
        switch kind {
        case .equals(let text), .contains(let text), .notContains(let text), .matches(let text): return [text]
        case .fuzzyMatch(let texts): return texts
        case .jsonPath(_, let equals, let pattern): return [equals?.string, pattern].compactMap { $0 }
        case .judge(let spec): return [spec.rubric, spec.compareTo].compactMap { $0 }
        default: return []
        }
    }
}

extension Expectation {
    /// The check with its templates rendered over `vars`, or the message saying why it could not
    /// be (a name the case does not set, a pattern that renders into an invalid regex).
    public func instantiated(with vars: [String: TemplateValue]) -> Result<Expectation, ExpectationTemplateError> {
        guard !templateVariables.isEmpty else { return .success(self) }
        func render(_ text: String) throws(TemplateError) -> String {
            guard text.containsASCII("{{") else { return text }
            return try Template(text).render(vars, strict: true)
        }
        var copy = self
        do throws(TemplateError) {
            switch kind {
            case .equals(let text): copy.kind = .equals(try render(text))
            case .contains(let text): copy.kind = .contains(try render(text))
            case .notContains(let text): copy.kind = .notContains(try render(text))
            case .fuzzyMatch(let texts): copy.kind = .fuzzyMatch(try texts.map(render))
            case .matches(let text):
                let pattern = try render(text)
                guard Regex.compiled(pattern) != nil else { return .failure(.init(message: "the pattern renders to /\(pattern)/, which is not a valid regular expression")) }
                copy.kind = .matches(pattern)
            case .jsonPath(let path, let equals, let pattern):
                let renderedEquals = try equals.map { value throws(TemplateError) -> JSON in
                    if case .string(let text) = value { return .string(try render(text)) }
                    return value
                }
                let renderedPattern = try pattern.map(render)
                if let renderedPattern, Regex.compiled(renderedPattern) == nil {
                    return .failure(.init(message: "the pattern renders to /\(renderedPattern)/, which is not a valid regular expression"))
                }
                copy.kind = .jsonPath(path, equals: renderedEquals, matches: renderedPattern)
            case .judge(var spec):
                spec.rubric = try spec.rubric.map(render)
                spec.compareTo = try spec.compareTo.map(render)
                copy.kind = .judge(spec)
            default: break
            }
        } catch {
            return .failure(.init(message: "the expectation's template: \(error.message)"))
        }
        return .success(copy)
    }
}

/// Why an expectation's template could not be rendered for a case.
public struct ExpectationTemplateError: Error, Sendable {
    /// Why, naming the missing name or the bad pattern.
    public var message: String
}
