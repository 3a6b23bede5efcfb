import Testing
@testable import FlowCore

@Suite struct VariantTests {
    static let base = """
        flow: 1
        model: openai/gpt-4o-mini
        params: {temperature: 0.2, max_tokens: 100}
        steps:
          - id: answer
            user: Answer.

        """

    @Test func aVariantChangesTheModelParamsAndAStepsTemplate() throws {
        let workflow = try WorkflowText.decode(Self.base + """
            variants:
              - name: mini
                params: {temperature: 0}
              - name: claude-v2
                model: anthropic/claude-haiku-4-5
                system: Be brief.
                steps:
                  answer: {user: {file: v2.mustache}, params: {max_tokens: 50}}

            """)
        #expect(workflow.variants.map(\.name) == ["mini", "claude-v2"])
        let mini = workflow.applying(workflow.variants[0])
        #expect(mini.model?.description == "openai/gpt-4o-mini" && mini.params.temperature == 0 && mini.params.maxTokens == 100)
        let claude = workflow.applying(workflow.variants[1])
        #expect(claude.model?.description == "anthropic/claude-haiku-4-5")
        #expect(claude.steps[0].user?.kind == .file("v2.mustache") && claude.steps[0].params.maxTokens == 50)
        #expect(claude.system?.kind == .inline("Be brief."))
        // The workflow as written is untouched.
        #expect(workflow.steps[0].user?.kind == .inline("Answer.") && workflow.system == nil)
        #expect(workflow.variants(named: ["claude-v2"]).map { $0.map(\.name) } == .success(["claude-v2"]))
        guard case .failure(let error) = workflow.variants(named: ["claude-2"]) else { Issue.record("an unknown variant was accepted"); return }
        #expect(error.message.contains("did you mean 'claude-v2'?"), "\(error.message)")
    }

    @Test func mistakesInVariantsArePlaced() {
        let problems = WorkflowText.problems(Self.base + """
            variants:
              - name: a
                steps:
                  anwser: {model: openai/gpt-4o}
              - name: a
                model: openai/gpt-4o
              - name: idle
              - modle: openai/gpt-4o

            """)
        #expect(problems.contains("w.yaml:10:7: error: variant 'a' changes step 'anwser', which is not a step"), "\(problems)")
        #expect(problems.contains("hint: did you mean 'answer'?"))
        #expect(problems.contains("w.yaml:11:11: error: duplicate variant name 'a' (first defined at 8:11)"), "\(problems)")
        #expect(problems.contains("w.yaml:13:5: error: variant 'idle' changes nothing"), "\(problems)")
        #expect(problems.contains("error: unknown key 'modle' in a variant"), "\(problems)")
    }

    @Test func theMatrixHasACellPerCaseAndVariantAndTotalsPerVariant() {
        func result(_ name: String, _ variant: String, passed: Bool, cost: Double) -> CaseResult {
            var result = CaseResult(workflow: "w.yaml", name: name, line: 1, runs: 1, passedRuns: passed ? 1 : 0, passRate: 1, failures: [],
                                    providerError: nil, mode: .replay, seconds: 0.5, costUSD: 0, tokens: 100)
            result.variant = variant
            result.answerCostUSD = cost
            return result
        }
        let matrix = VariantMatrix([result("refund", "a", passed: true, cost: 0.001), result("refund", "b", passed: false, cost: 0.002),
                                    result("outage", "a", passed: true, cost: 0.003)])
        #expect(matrix.variants == ["a", "b"] && matrix.rows.map(\.name) == ["refund", "outage"])
        #expect(matrix.rows[1].cells[1] == nil)
        #expect(matrix.totals.map(\.passed) == [2, 0] && matrix.totals.map(\.cases) == [2, 1] && matrix.totals[0].costUSD == 0.004)
        let text = matrix.text
        #expect(text.contains("refund  pass $0.001 100t 0.50s") && text.contains("FAIL $0.002 100t 0.50s"), "\(text)")
        #expect(text.contains("passed  2/2") && text.contains("0/1"), "\(text)")
        // A baseline tells the cells apart by variant.
        let comparison = BaselineComparison(baseline: [result("refund", "a", passed: true, cost: 0), result("refund", "b", passed: true, cost: 0)],
                                            current: [result("refund", "a", passed: true, cost: 0), result("refund", "b", passed: false, cost: 0)])
        #expect(comparison.regressions.map(\.name) == ["refund [b]"])
    }
}
