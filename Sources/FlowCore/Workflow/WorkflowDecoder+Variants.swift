import FlowSource
import FlowYAML

/// Decoding of `variants:`, the alternatives `flow test` compares case by case.
extension WorkflowDecoder {
    static let variantKeys = ["name", "model", "params", "system", "steps"]
    static let variantStepKeys = ["model", "params", "user", "prefill"]

    /// The variants, each named once, each step it changes a step of the workflow.
    mutating func variants(_ node: Node, steps: [Step]) -> [Variant] {
        guard let items = sequence(node, "variants") else { return [] }
        if items.isEmpty { report(node.mark, "'variants' is empty", hint: "name at least two alternatives, or remove 'variants:'") }
        var variants: [Variant] = []
        var names: [String: Mark] = [:]
        let ids = steps.map(\.id)
        for item in items {
            guard let pairs = mapping(item, "a variant") else { continue }
            checkKeys(pairs, allowed: Self.variantKeys, in: "a variant")
            guard let nameNode = item["name"], let name = string(nameNode, "name") else {
                report(item.mark, "a variant needs a 'name'", hint: "the name reports, cassettes and --variant use, for example 'name: claude-v2'")
                continue
            }
            if !Self.isIdentifier(name) {
                report(nameNode.mark, "variant name '\(name)' must start with a letter or '_' and hold only letters, digits, '_' and '-'")
            }
            if let first = names[name] { report(nameNode.mark, "duplicate variant name '\(name)' (first defined at \(first))") }
            names[name] = nameNode.mark
            var variant = Variant(name: name, mark: item.mark)
            variant.model = item["model"].flatMap { modelRef($0) }
            variant.params = item["params"].map { samplingParams($0) }
            variant.system = item["system"].flatMap { template($0, "system") }
            if let stepsNode = item["steps"], let changes = mapping(stepsNode, "a variant's steps") {
                for pair in changes {
                    guard let id = pair.key.scalar?.text else { continue }
                    guard ids.contains(id) else {
                        report(pair.key.mark, "variant '\(name)' changes step '\(id)', which is not a step",
                               hint: Suggestion.hint(for: id, in: ids) ?? "steps: " + ids.joined(separator: ", "))
                        continue
                    }
                    guard let changePairs = mapping(pair.value, "a variant's step change") else { continue }
                    checkKeys(changePairs, allowed: Self.variantStepKeys, in: "a variant's step change")
                    variant.steps[id] = Variant.StepChange(model: pair.value["model"].flatMap { modelRef($0) },
                                                           params: pair.value["params"].map { samplingParams($0) },
                                                           user: pair.value["user"].flatMap { template($0, "user") },
                                                           prefill: pair.value["prefill"].flatMap { template($0, "prefill") },
                                                           mark: pair.key.mark)
                }
            }
            if variant.model == nil, variant.params == nil, variant.system == nil, variant.steps.isEmpty {
                report(item.mark, "variant '\(name)' changes nothing",
                       hint: "give it a 'model', 'params', 'system' or 'steps: {step-id: {user: {file: …}}}'")
            }
            variants.append(variant)
        }
        return variants
    }
}
