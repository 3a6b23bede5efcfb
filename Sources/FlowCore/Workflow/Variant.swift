import FlowSource

/// An alternative way to run the same workflow (`variants:`): another model, other parameters,
/// another system prompt, another template for a step. `flow test` runs every case under every
/// variant, so two models or two prompt versions are compared on the same cases.
public struct Variant: Sendable {
    /// What one step changes in this variant.
    public struct StepChange: Sendable {
        /// The step's model in this variant.
        public var model: ModelRef?
        /// Parameters over the step's own, key by key.
        public var params: SamplingParams?
        /// The step's user turn in this variant (another template file, usually).
        public var user: TemplateSource?
        /// The step's prefill in this variant.
        public var prefill: TemplateSource?
        /// Where the change is written.
        public var mark: Mark
    }

    /// The variant's name in reports, cassettes and `--variant`.
    public var name: String
    /// Where the variant is written.
    public var mark: Mark
    /// Replaces the workflow's default model (steps naming their own keep theirs unless `steps:` changes them).
    public var model: ModelRef?
    /// Parameters over the workflow's, key by key.
    public var params: SamplingParams?
    /// Replaces the system prompt.
    public var system: TemplateSource?
    /// Changes to single steps, by step id.
    public var steps: [String: StepChange] = [:]

    /// The templates the variant brings, for the loader to parse.
    var templateSources: [TemplateSource] {
        [system].compactMap { $0 } + steps.keys.sorted().flatMap { [steps[$0]!.user, steps[$0]!.prefill].compactMap { $0 } }
    }
}

extension Workflow {
    /// The workflow as `variant` runs it. Pure: the templates it names are loaded with the workflow.
    public func applying(_ variant: Variant) -> Workflow {
        var changed = self
        if let model = variant.model { changed.model = model }
        if let params = variant.params { changed.params = self.params.merged(with: params) }
        if let system = variant.system { changed.system = system }
        for index in changed.steps.indices {
            guard let change = variant.steps[changed.steps[index].id] else { continue }
            if let model = change.model { changed.steps[index].model = model }
            if let params = change.params { changed.steps[index].params = changed.steps[index].params.merged(with: params) }
            if let user = change.user {
                changed.steps[index].user = user
                changed.steps[index].userParts = []
            }
            if let prefill = change.prefill { changed.steps[index].prefill = prefill }
        }
        return changed
    }

    /// The variants `names` pick, in the workflow's order; all of them when `names` is empty.
    /// Throws naming a variant the workflow does not have.
    public func variants(named names: [String]) -> Result<[Variant], VariantError> {
        if names.isEmpty { return .success(variants) }
        let known = variants.map(\.name)
        for name in names where !known.contains(name) {
            return .failure(VariantError(message: known.isEmpty
                ? "--variant \(name): the workflow declares no variants"
                : "--variant \(name): no such variant (\(Suggestion.hint(for: name, in: known) ?? "variants: " + known.joined(separator: ", ")))"))
        }
        return .success(variants.filter { names.contains($0.name) })
    }
}

/// A `--variant` that names nothing the workflow declares.
public struct VariantError: Error, Sendable, Equatable {
    /// What was wrong, with the known names.
    public var message: String
}

extension LoadedWorkflow {
    /// This workflow as `variant` runs it, sharing the parsed templates (the loader parsed the variant's too).
    public func applying(_ variant: Variant?) -> LoadedWorkflow {
        guard let variant else { return self }
        var changed = self
        changed.workflow = workflow.applying(variant)
        changed.variant = variant.name
        return changed
    }
}
