import FlowSource
import FlowYAML

/// The rules each provider's adapter checks before anything is sent (`ProviderAdapter.check`:
/// Anthropic's required `max_tokens`, a reasoning model's refused `temperature`, OpenAI's four
/// stop sequences, Gemini's inline-only images…), applied when a workflow loads, so `flow
/// validate` fails wherever `flow run` would, and both say where: at the key that causes the
/// problem (the variant's, the step's or the workflow's), or at the model that makes it one.
/// Every step is checked for its model, each `retry` branch's model, and under every variant.
/// Pure: adapters need no key and send nothing.
enum ProviderRules {
    /// The requests a step can send, as far as they are known before any text is rendered: its
    /// model with the merged params, then each `retry` branch's. A prefill stands in as "…",
    /// images and documents as their size and type (the providers' limits need no bytes).
    static func shapes(of step: Step, in workflow: Workflow, media: [MediaReference: Media]) -> [(model: ModelRef, request: ChatRequest)] {
        // A call sends nothing itself: its callee's steps are checked as the callee loads.
        guard step.call == nil, let first = step.model ?? workflow.model else { return [] }
        let params = workflow.params.merged(with: step.params)
        var models = [(first, params)]
        for case .retry(let spec) in step.branches.values.joined().map(\.action) {
            models.append((spec.model ?? first, params.merged(with: spec.params)))
        }
        var mediaTurn = ChatMessage(.user, "…")
        mediaTurn.parts = step.userParts.compactMap { part in
            if case .media(let reference) = part, let media = media[reference] { .media(media.standIn) } else { nil }
        }
        return models.map { model, params in
            var shape = ChatRequest(model: model.name, messages: mediaTurn.parts.isEmpty ? [] : [mediaTurn], params: params,
                                    prefill: step.prefill == nil ? nil : "…")
            shape.responseSchema = step.schema
            return (model, shape)
        }
    }

    /// A step's problem that is not one provider's: tools follow one answer.
    static func stepProblem(_ step: Step, in workflow: Workflow) -> String? {
        let answers = workflow.params.merged(with: step.params).n ?? 1
        guard !step.tools.isEmpty, answers > 1 else { return nil }
        return "step '\(step.id)' offers tools and asks for \(answers) answers: a tool loop follows one answer; remove 'n' or the tools"
    }

    /// Every problem of `workflow` (as written, then under each variant), placed in `root`.
    static func problems(_ workflow: Workflow, media: [MediaReference: Media], root: Node?, source: SourceFile,
                         registry: ProviderRegistry) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let runs: [(variant: Int?, workflow: Workflow)] = [(nil, workflow)] + workflow.variants.indices.map { ($0, workflow.applying(workflow.variants[$0])) }
        for (variant, applied) in runs {
            for (index, step) in applied.steps.enumerated() {
                var found: [(message: String, keys: [String])] = []
                if let problem = stepProblem(step, in: applied) { found.append((problem, ["n", "tools"])) }
                for (model, first) in shapes(of: step, in: applied, media: media) {
                    // An adapter stops at the first problem; the parameter it names is taken
                    // away and the shape checked again, so every problem is said at once.
                    var shape = first
                    for _ in 0..<8 {
                        do throws(ProviderError) {
                            guard let adapter = try registry.adapter(for: model) else { break }
                            try adapter.check(shape)
                            break
                        } catch {
                            let named = keys(in: error.message)
                            found.append(("step '\(step.id)': \(error.message)", named))
                            guard let key = named.first, let lifted = shape.params.without(key) else { break }
                            shape.params = lifted
                        }
                    }
                }
                for (message, keys) in found {
                    let named = variant.map { "variant '\(workflow.variants[$0].name)': " + message } ?? message
                    // A problem of the workflow as written is said once, not again per variant.
                    guard !problems.contains(where: { $0.message == message || $0.message == named }) else { continue }
                    let mark = place(keys, step: index, stepID: step.id, variant: variant, root: root) ?? step.mark
                    problems.append(Diagnostic(source, mark, named, hint: hint(for: keys)))
                }
            }
        }
        return problems
    }

    /// The workflow keys a provider's message names, most specific first.
    static func keys(in message: String) -> [String] {
        let params = ["max_tokens", "temperature", "top_p", "top_k", "top_logprobs", "logprobs", "seed", "presence_penalty",
                      "frequency_penalty", "budget_tokens", "reasoning", "prefill", "schema", "detail"]
        var keys = params.filter { message.contains("'\($0)'") || message.contains(" \($0)") || message.hasPrefix($0) }
        if message.contains("stop sequences") { keys.insert("stop", at: 0) }
        if message.contains("budget_tokens") || message.contains("effort") { keys.append("reasoning") }
        if ["image", "document", "URL", "inline"].contains(where: message.contains) { keys.append("user") }
        return keys
    }

    static func hint(for keys: [String]) -> String? {
        keys.first == "max_tokens" ? "add it to the workflow's params (it applies to every step), e.g. params: {max_tokens: 1024}" : nil
    }

    /// The first of `keys` written where it applies to this step: the variant's change to the
    /// step, the variant, the step, the workflow; else the model that makes it a problem.
    static func place(_ keys: [String], step index: Int, stepID: String, variant: Int?, root: Node?) -> Mark? {
        guard let root else { return nil }
        let stepNode = root["steps"]?.sequence.flatMap { $0.indices.contains(index) ? $0[index] : nil }
        let variantNode = variant.flatMap { root["variants"]?.sequence?[$0] }
        let variantStep = variantNode?["steps"]?[stepID]
        let scopes = [variantStep, variantNode, stepNode, root].compactMap { $0 }
        for key in keys {
            for scope in scopes {
                if let mark = keyMark(key, in: scope["params"]) ?? keyMark(key, in: scope) { return mark }
            }
        }
        for scope in scopes {
            if let mark = keyMark("model", in: scope) { return mark }
        }
        return nil
    }

    private static func keyMark(_ key: String, in node: Node?) -> Mark? {
        node?.mapping?.first { $0.key.scalar?.text == key }?.key.mark
    }
}

extension SamplingParams {
    /// These params without `key` (its YAML name), or nil when it is not one that is set.
    func without(_ key: String) -> SamplingParams? {
        var changed = self
        switch key {
        case "temperature" where temperature != nil: changed.temperature = nil
        case "top_p" where topP != nil: changed.topP = nil
        case "top_k" where topK != nil: changed.topK = nil
        case "stop" where stop != nil: changed.stop = nil
        case "seed" where seed != nil: changed.seed = nil
        case "logprobs", "top_logprobs":
            guard wantsLogprobs else { return nil }
            changed.logprobs = nil
            changed.topLogprobs = nil
        case "presence_penalty" where presencePenalty != nil: changed.presencePenalty = nil
        case "frequency_penalty" where frequencyPenalty != nil: changed.frequencyPenalty = nil
        case "reasoning", "budget_tokens":
            guard reasoning != nil else { return nil }
            changed.reasoning = nil
        default: return nil
        }
        return changed
    }
}
