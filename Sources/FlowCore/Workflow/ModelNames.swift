import FlowSource

/// Help with model names, from the price table (the one list of models flow knows): a name
/// written without its provider gets the provider that has it, a misspelt one the name it is
/// near. Unknown names stay allowed (providers add models before flow's table knows them), so
/// a near miss is a warning, not an error. Also the warnings for what a provider will not
/// take from a step but is not worth refusing (Gemini has no image `detail`).
enum ModelNames {
    /// The priced models, `provider/name`.
    static let known = PriceTable.builtIn.prices.keys.sorted()

    /// `claude-sonnet-4-5` → `anthropic/claude-sonnet-4-5`: a priced model of that name, else
    /// the provider whose models the name's family belongs to.
    static func withProvider(_ name: String) -> String? {
        if let exact = known.first(where: { $0.hasSuffix("/" + name) && !$0.hasPrefix("openai-responses/") }) { return exact }
        let lower = name.lowercased()
        if lower.hasPrefix("claude") { return "anthropic/" + name }
        if lower.hasPrefix("gemini") { return "gemini/" + name }
        if ["gpt", "o1", "o3", "o4", "chatgpt"].contains(where: lower.hasPrefix) { return "openai/" + name }
        return nil
    }

    /// The warnings of a loaded workflow: each model of a built-in provider that has no price and
    /// is one edit or so from one that has; an image `detail` on a step that runs on Gemini.
    static func warnings(_ workflow: Workflow, source: SourceFile) -> [Diagnostic] {
        var warnings: [Diagnostic] = []
        var said: Set<String> = []
        func warn(_ mark: Mark, _ message: String, hint: String? = nil) {
            guard said.insert(message).inserted else { return }
            var warning = Diagnostic(source, mark, message, hint: hint)
            warning.isWarning = true
            warnings.append(warning)
        }
        var models: [ModelRef] = [workflow.model].compactMap { $0 } + workflow.steps.compactMap(\.model) + workflow.variants.compactMap(\.model)
        for step in workflow.steps {
            for case .retry(let spec) in step.branches.values.joined().map(\.action) { models += [spec.model].compactMap { $0 } }
        }
        for model in models where BuiltInProvider.sending.contains(model.provider) && PriceTable.builtIn.price(for: model) == nil {
            let prefix = model.provider.rawValue + "/"
            let sameProvider = known.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
            if let near = Suggestion.closest(to: model.name, in: sameProvider) {
                warn(model.mark ?? Mark(line: 1, column: 1), "flow knows no model '\(model)' (it has no price for it): did you mean '\(model.provider)/\(near)'?",
                     hint: "a model newer than flow's price table is fine: give its price with --prices FILE to see its cost")
            }
        }
        for step in workflow.steps where (step.model ?? workflow.model)?.provider == .gemini {
            for case .media(let reference) in step.userParts where reference.detail != nil {
                warn(reference.mark, "Gemini takes no image 'detail': 'detail: \(reference.detail!)' is not sent on step '\(step.id)'",
                     hint: "remove it, or keep it for the variants on OpenAI")
            }
        }
        return warnings
    }
}
