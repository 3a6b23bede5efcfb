import Foundation
import Testing
@testable import FlowCore

@Suite struct JudgeTests {
    static let base = """
        flow: 1
        model: openai/gpt-4o-mini
        steps:
          - id: answer
            user: Answer.
        tests:
          - expect:

        """

    @Test func thresholdsCompareTheScore() {
        #expect(JudgeSpec.Threshold(">= 4")?.holds(for: 4) == true && JudgeSpec.Threshold(">=4")?.holds(for: 3) == false)
        #expect(JudgeSpec.Threshold("> 3")?.holds(for: 3) == false && JudgeSpec.Threshold("== 5")?.holds(for: 5) == true)
        #expect(JudgeSpec.Threshold("<= 2")?.holds(for: 1) == true && JudgeSpec.Threshold("< 2")?.holds(for: 2) == false)
        #expect(JudgeSpec.Threshold("about 4") == nil && JudgeSpec.Threshold(">= four") == nil)
    }

    @Test func aJudgeIsDecodedWithItsDefaults() throws {
        let workflow = try WorkflowText.decode(Self.base + """
                  - judge: {rubric: "Names {{city}}.", model: anthropic/claude-haiku-4-5}
                  - judge: {compare_to: "Paris", criteria: semantic, model: openai/gpt-4o-mini, scale: 0-10, pass: "> 6"}
            """.replacingOccurrences(of: "tests:\n  - expect:", with: "tests:\n  - expect:"))
        guard case .judge(let rubric) = workflow.tests[0].expectations[0].kind,
              case .judge(let compare) = workflow.tests[0].expectations[1].kind else { Issue.record("not judges"); return }
        #expect(rubric.scale == 1...5 && rubric.pass.description == ">= 4" && rubric.model.description == "anthropic/claude-haiku-4-5")
        #expect(workflow.tests[0].expectations[0].templateVariables == ["city"])
        #expect(compare.scale == 0...10 && compare.pass.description == "> 6" && compare.criteria == .semantic)
        #expect(compare.promptValues(answer: "It is Paris.")["criteria"] == .string(JudgeSpec.Criteria.semantic.instruction))
    }

    @Test func aJudgeThatCannotBeRunIsRefusedWhereItIsWritten() {
        let problems = WorkflowText.problems(Self.base + """
                  - judge: {rubric: a, compare_to: b, model: openai/gpt-4o-mini}
                  - judge: {rubric: a}
                  - judge: {rubric: a, model: openai/gpt-4o-mini, pass: ">= 7"}
                  - judge: {compare_to: b, criteria: factuel, model: openai/gpt-4o-mini}
                  - judge: {rubric: a, model: openai/gpt-4o-mini, scale: 5-1}
                  - judge: {rubrik: a, model: openai/gpt-4o-mini}
            """)
        #expect(problems.contains("w.yaml:8:16: error: 'judge' takes 'rubric' or 'compare_to', not both"), "\(problems)")
        #expect(problems.contains("w.yaml:9:16: error: 'judge' needs a 'model'"), "\(problems)")
        #expect(problems.contains("error: 'pass' must compare the score with a number of the scale 1-5, got '>= 7'"), "\(problems)")
        #expect(problems.contains("error: 'criteria' must be factual or semantic, got 'factuel'") && problems.contains("did you mean 'factual'?"), "\(problems)")
        #expect(problems.contains("error: 'scale' must be LOW-HIGH with LOW below HIGH, got '5-1'"), "\(problems)")
        #expect(problems.contains("unknown key 'rubrik' in 'judge'"), "\(problems)")
    }

    @Test func theVerdictPassesOrFailsWithTheJudgesReason() throws {
        let spec = JudgeSpec(rubric: "r", compareTo: nil, model: ModelRef(provider: "openai", name: "gpt-4o-mini"), scale: 1...5,
                             pass: JudgeSpec.Threshold(">= 4")!)
        #expect(spec.check(verdict: try JSON.parse(#"{"score": 4, "reason": "fine"}"#), subject: "the output", negated: false) == nil)
        #expect(spec.check(verdict: try JSON.parse(#"{"score": 2, "reason": "It leaves out the refund window."}"#), subject: "the output", negated: false)
                == "judge openai/gpt-4o-mini scored the output 2 on 1-5, expected >= 4: It leaves out the refund window.")
        #expect(spec.check(verdict: try JSON.parse(#"{"score": 5, "reason": "all there"}"#), subject: "step a", negated: true)?
            .hasPrefix("judge openai/gpt-4o-mini scored step a 5 on 1-5, expected not >= 4") == true)
        // The schema the judge answers to holds the score to the scale.
        #expect(!JSONSchema.validate(try JSON.parse(#"{"score": 9, "reason": "x"}"#), against: spec.verdictSchema).isEmpty)
        #expect(JSONSchema.validate(try JSON.parse(#"{"score": 3, "reason": "x"}"#), against: spec.verdictSchema).isEmpty)
    }

    @Test func theBuiltInPromptsAreTheRepositorysTemplates() throws {
        let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path + "/templates/"
        #expect(try String(contentsOfFile: templates + "judge.rubric.mustache", encoding: .utf8) == JudgeSpec.rubricPrompt)
        #expect(try String(contentsOfFile: templates + "judge.compare.mustache", encoding: .utf8) == JudgeSpec.comparePrompt)
    }
}
