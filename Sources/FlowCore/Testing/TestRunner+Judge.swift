import FlowSource
import FlowTemplate

/// Judged expectations: the judge is a one-step workflow of its own — its prompt a template,
/// its answer checked by a schema (score and reason) — run through the case's providers and
/// cassette, so a judged test records and replays like any other call and its cost is counted.
extension TestRunner {
    /// The failure message of a judged expectation (nil when the score meets `pass`), and the
    /// judge's run, whose calls the case's tokens and cost include.
    func judge(_ spec: JudgeSpec, _ expectation: Expectation, run: RunResult, providers: ProviderRegistry,
               cassette: CassetteUse?, transcript: (any TranscriptSink)?) async -> (String?, RunResult?) {
        let subject = expectation.step.map { "step \($0)" } ?? "the output"
        let answer: String
        if let id = expectation.step {
            guard let step = run.steps.last(where: { $0.id == id }) else {
                return ("expected step \(id) to run for the judge, but it did not (path: \(Expectations.pathText(run)))", nil)
            }
            answer = step.content
        } else {
            guard let output = run.output else { return ("the run gave no output for the judge to grade", nil) }
            answer = output
        }
        guard let judgeWorkflow = Self.judgeWorkflow(spec, of: loaded, at: expectation.mark) else {
            return ("the judge's prompt was not loaded", nil)
        }
        var interpreter = Interpreter(providers: providers, transcript: transcript ?? NullTranscript(), prices: prices)
        interpreter.cassette = cassette
        let values = spec.promptValues(answer: answer)
        let judged = await interpreter.run(judgeWorkflow, inputs: values)
        if let error = judged.error { return ("the judge \(spec.model) gave no verdict: \(error.message)", judged) }
        guard let text = judged.output, let verdict = try? JSON.parse(text) else {
            return ("the judge \(spec.model) answered with no JSON verdict: \(Expectations.quote(judged.output ?? ""))", judged)
        }
        return (spec.check(verdict: verdict, subject: subject, negated: expectation.negated), judged)
    }

    /// The one-step workflow that asks `spec.model` for a verdict. Pure; nil when the loader did
    /// not settle the judge's prompt (it always does for a loaded workflow).
    static func judgeWorkflow(_ spec: JudgeSpec, of loaded: LoadedWorkflow, at mark: Mark) -> LoadedWorkflow? {
        guard let prompt = spec.prompt, let template = loaded.templates[prompt] else { return nil }
        // Deterministic grading: temperature 0, and room for a short reason.
        var step = Step(id: "judge", mark: mark, user: prompt, ask: nil, prefill: nil,
                        params: SamplingParams(temperature: 0, maxTokens: 400), model: spec.model, save: nil)
        step.schema = spec.verdictSchema
        step.parsesJSON = true
        let names = spec.promptValues(answer: "").keys.sorted()
        let workflow = Workflow(version: 1, name: loaded.workflow.name + ".judge", description: nil, model: spec.model, params: SamplingParams(),
                                vars: names.map { Variable(name: $0, defaultValue: nil, mark: mark) }, system: nil, steps: [step],
                                output: nil, mock: [])
        var judge = LoadedWorkflow(workflow: workflow, source: template.file, sha256: loaded.sha256, templates: [prompt: template],
                                   templateFiles: [], config: loaded.config)
        judge.variant = loaded.variant
        return judge
    }
}
