import Foundation
import FlowSource
import FlowYAML

/// Decoding of `on:`, `user: {ask:}`, `limits:`, `context:` and `tools:`, and the checks of the
/// step graph that need every step decoded first.
extension WorkflowDecoder {
    static let actionKeys = ["goto", "next", "end", "fail", "continue", "retry", "tools"]
    static let conditionKeys = ["matches", "contains", "equals", "json", "confidence_below", "not"]

    mutating func branches(_ node: Node) -> [BranchReason: [BranchCase]] {
        guard let pairs = mapping(node, "'on'") else { return [:] }
        var result: [BranchReason: [BranchCase]] = [:]
        for pair in pairs {
            guard let name = pair.key.scalar?.text, let reason = BranchReason(rawValue: name) else {
                let names = BranchReason.allCases.map(\.rawValue)
                report(pair.key.mark, "'\(pair.key.scalar?.text ?? "")' is not a finish reason",
                       hint: Suggestion.hint(for: pair.key.scalar?.text ?? "", in: names) ?? "on: takes " + names.joined(separator: ", "))
                continue
            }
            if let items = pair.value.sequence {
                // Without a final unconditional case, an answer no case matches takes the default.
                result[reason] = items.compactMap { branchCase($0) }
            } else if let action = action(pair.value) {
                result[reason] = [BranchCase(condition: nil, action: action, mark: pair.value.mark)]
            }
        }
        return result
    }

    /// A case: `{if: condition, goto: id}` and the like, or a bare action.
    mutating func branchCase(_ node: Node) -> BranchCase? {
        guard let pairs = node.mapping else { return action(node).map { BranchCase(condition: nil, action: $0, mark: node.mark) } }
        let actionPairs = pairs.filter { $0.key.scalar?.text != "if" }
        var condition: Condition?
        if let ifNode = node["if"] {
            guard let parsed = self.condition(ifNode) else { return nil }
            condition = parsed
        }
        let actionNode = Node(.mapping(actionPairs), mark: node.mark)
        guard let action = action(actionNode) else { return nil }
        return BranchCase(condition: condition, action: action, mark: node.mark, actionMark: actionPairs.first?.value.mark)
    }

    /// `next`, `end`, `fail`, a step id, or `{goto|fail|continue|retry|tools: …}`.
    mutating func action(_ node: Node) -> Action? {
        if let text = node.scalar?.text {
            switch text {
            case "next": return .next
            case "end": return .end
            case "fail": return .fail(nil)
            default: return .goto(text)
            }
        }
        guard let pairs = mapping(node, "an action") else { return nil }
        let keys = pairs.compactMap { $0.key.scalar?.text }.filter { Self.actionKeys.contains($0) }
        let retryExtras = ["params", "model"]
        for pair in pairs {
            let key = pair.key.scalar?.text ?? ""
            if !Self.actionKeys.contains(key), !(keys.contains("retry") && retryExtras.contains(key)) {
                report(pair.key.mark, "unknown key '\(key)' in an action",
                       hint: Suggestion.hint(for: key, in: Self.actionKeys + ["if"]) ?? "actions: " + Self.actionKeys.joined(separator: ", "))
                return nil
            }
        }
        guard keys.count == 1, let key = keys.first, let value = node[key] else {
            report(node.mark, keys.isEmpty ? "a case needs an action" : "a case takes one action, got \(keys.joined(separator: " and "))",
                   hint: "for example {goto: step_id}, {continue: 2} or {retry: 1}")
            return nil
        }
        switch key {
        case "goto": return string(value, "goto").map(Action.goto)
        case "next": return .next
        case "end": return .end
        case "fail":
            if case .bool = value.value { return .fail(nil) }
            return string(value, "fail").map { .fail($0) }
        case "continue":
            return count(value, "continue", in: 1...20).map(Action.continueAnswer)
        case "retry":
            guard let times = count(value, "retry", in: 1...10) else { return nil }
            let params = node["params"].map { samplingParams($0) } ?? SamplingParams()
            let model = node["model"].flatMap { modelRef($0) }
            return .retry(RetrySpec(count: times, params: params, model: model))
        default:  // tools
            guard let pairs = mapping(value, "tools") else { return nil }
            checkKeys(pairs, allowed: ["max_rounds"], in: "tools")
            let rounds = value["max_rounds"].flatMap { count($0, "max_rounds", in: 1...50) } ?? 5
            return .tools(maxRounds: rounds)
        }
    }

    mutating func condition(_ node: Node) -> Condition? {
        guard let pairs = mapping(node, "a condition"), pairs.count == 1, let key = pairs[0].key.scalar?.text else {
            report(node.mark, "a condition has one test", hint: "e.g. {matches: \"(?i)refund\"} or {confidence_below: 0.7}")
            return nil
        }
        let value = pairs[0].value
        switch key {
        case "matches":
            guard let pattern = string(value, "matches") else { return nil }
            guard Regex.isValid(pattern) else {
                report(value.mark, "'\(pattern)' is not a valid regular expression", hint: "ICU syntax; (?i) makes it case-insensitive")
                return nil
            }
            return .matches(pattern)
        case "contains": return string(value, "contains").map(Condition.contains)
        case "equals": return string(value, "equals").map(Condition.equals)
        case "json": return .json
        case "confidence_below": return number(value, "confidence_below", in: 0...1).map(Condition.confidenceBelow)
        case "not": return condition(value).map(Condition.not)
        default:
            report(pairs[0].key.mark, "unknown condition '\(key)'",
                   hint: Suggestion.hint(for: key, in: Self.conditionKeys) ?? "conditions: " + Self.conditionKeys.joined(separator: ", "))
            return nil
        }
    }

    mutating func count(_ node: Node, _ key: String, in range: ClosedRange<Int>) -> Int? {
        if case .int(let value) = node.value, node.scalar != nil, range.contains(value) { return value }
        report(node.mark, "'\(key)' must be a whole number from \(range.lowerBound) to \(range.upperBound), got \(describe(node))")
        return nil
    }

    mutating func askTurn(_ node: Node) -> AskTurn? {
        guard let pairs = mapping(node, "'user'") else { return nil }
        checkKeys(pairs, allowed: ["ask", "exit"], in: "'user'")
        guard let prompt = node["ask"].flatMap({ string($0, "ask") }) else { return nil }
        var exitWords = ["exit", "quit"]
        if let exitNode = node["exit"] {
            if let items = exitNode.sequence { exitWords = items.compactMap { string($0, "exit") } }
            else if let word = string(exitNode, "exit") { exitWords = [word] }
        }
        return AskTurn(prompt: prompt, exitWords: exitWords, mark: node.mark)
    }

    mutating func limits(_ node: Node) -> Limits {
        var limits = Limits()
        guard let pairs = mapping(node, "limits") else { return limits }
        checkKeys(pairs, allowed: ["max_steps", "max_visits", "max_total_tokens", "max_cost_usd"], in: "limits")
        if let value = node["max_cost_usd"], let number = number(value, "max_cost_usd", in: 0...1_000_000) { limits.maxCostUSD = number }
        if let value = node["max_steps"], let number = count(value, "max_steps", in: 1...100_000) { limits.maxSteps = number }
        if let value = node["max_visits"], let number = count(value, "max_visits", in: 1...100_000) { limits.maxVisits = number }
        if let value = node["max_total_tokens"], let number = count(value, "max_total_tokens", in: 1...Int.max) { limits.maxTotalTokens = number }
        return limits
    }

    mutating func contextPolicy(_ node: Node) -> ContextPolicy? {
        guard let pairs = mapping(node, "context") else { return nil }
        checkKeys(pairs, allowed: ["max_input_tokens"], in: "context")
        guard let value = node["max_input_tokens"] else {
            report(node.mark, "'context' needs 'max_input_tokens'", hint: "the estimated input budget per request, e.g. 8000")
            return nil
        }
        return count(value, "max_input_tokens", in: 100...10_000_000).map(ContextPolicy.init)
    }

    mutating func toolDeclarations(_ node: Node) -> [ToolDeclaration] {
        guard let pairs = mapping(node, "tools") else { return [] }
        return pairs.compactMap { pair in
            guard let name = string(pair.key, "a tool name") else { return nil }
            guard let fields = mapping(pair.value, "tool '\(name)'") else { return nil }
            checkKeys(fields, allowed: ["description", "parameters", "run", "timeout", "env"], in: "tool '\(name)'")
            guard let runNode = pair.value["run"], let argv = sequence(runNode, "run"), !argv.isEmpty else {
                report(pair.value.mark, "tool '\(name)' needs 'run:', the program and its arguments as a list",
                       hint: "for example run: [python3, tools/weather.py]; no shell is involved")
                return nil
            }
            let parameters = pair.value["parameters"].map(Self.json) ?? .object([("type", .string("object")), ("properties", .object([]))])
            var timeout = 30.0
            if let node = pair.value["timeout"], let seconds = number(node, "timeout", in: 0.1...3600) { timeout = seconds }
            return ToolDeclaration(name: name, description: pair.value["description"].flatMap { string($0, "description") } ?? "",
                                   parameters: parameters, run: argv.compactMap { string($0, "run") }, timeout: timeout,
                                   environment: pair.value["env"]?.sequence?.compactMap { string($0, "env") } ?? [],
                                   mark: pair.key.mark)
        }
    }

    /// YAML as JSON, for tool schemas and mock tool arguments.
    static func json(_ node: Node) -> JSON {
        switch node.content {
        case .sequence(let items): return .array(items.map(json))
        case .mapping(let pairs): return .object(pairs.map { ($0.key.scalar?.text ?? "", json($0.value)) })
        case .scalar(let scalar):
            switch node.value {
            case .null: return .null
            case .bool(let bool): return .bool(bool)
            case .int(let int): return .int(int)
            case .float(let double): return .double(double)
            case .string: return .string(scalar.text)
            }
        }
    }

    /// Checks that need the whole graph: goto targets exist, tools exist and are offered where
    /// `tool_calls` is handled, confidence conditions have logprobs, and every cycle has a way out.
    mutating func checkGraph(_ workflow: Workflow, stepNodes: [Node]) {
        let ids = workflow.steps.map(\.id)
        let toolNames = workflow.tools.map(\.name)
        for (index, step) in workflow.steps.enumerated() {
            let params = workflow.params.merged(with: step.params)
            for name in step.tools where !toolNames.contains(name) && !name.contains(".") {
                report(step.mark, "step '\(step.id)' offers tool '\(name)', which is not declared",
                       hint: Suggestion.hint(for: name, in: toolNames) ?? "declare it under the top-level 'tools:'")
            }
            for (reason, cases) in step.branches {
                for branchCase in cases {
                    if case .goto(let target) = branchCase.action, !ids.contains(target) {
                        report(branchCase.actionMark ?? branchCase.mark, "step '\(step.id)' goes to '\(target)', which is not a step",
                               hint: Suggestion.hint(for: target, in: ids) ?? "steps: " + ids.joined(separator: ", ") + "; or use next, end, fail")
                    }
                    if case .tools = branchCase.action, step.tools.isEmpty {
                        report(branchCase.mark, "step '\(step.id)' runs tools but offers none", hint: "add 'tools: [name]' to the step")
                    }
                    if case .continueAnswer = branchCase.action, reason != .length {
                        report(branchCase.mark, "'continue' gets the rest of a truncated answer, so it belongs under 'length', not '\(reason.rawValue)'")
                    }
                    // Structured output is asked for anew with each request: a continuation would
                    // be a second whole object, and the two joined are not JSON.
                    if case .continueAnswer = branchCase.action, step.schema != nil {
                        report(branchCase.mark, "step '\(step.id)' has a schema, and a structured answer cannot be continued: the provider "
                               + "would start a new object, and the two joined are not JSON",
                               hint: "raise max_tokens so the object fits, or use {retry: 1, params: {max_tokens: …}} under 'length'")
                    }
                    if let condition = branchCase.condition, Self.needsLogprobs(condition), !params.wantsLogprobs {
                        report(branchCase.mark, "confidence_below needs log probabilities, which step '\(step.id)' does not ask for",
                               hint: "add logprobs: true (or top_logprobs) to the step's params")
                    }
                }
            }
            checkServerTools(step, servers: workflow.mcp)
            if let cases = step.branches[.toolCalls], step.tools.isEmpty, let first = cases.first {
                report(first.mark, "step '\(step.id)' branches on tool_calls but offers no tools, so the model cannot call one",
                       hint: "add 'tools: [name]' to the step, or remove the tool_calls branch")
            }
            _ = index
        }
        // A cycle whose steps all lead only back into it would loop until max_visits: refuse it.
        let graph = StepGraph(workflow)
        for cycle in graph.cyclesWithoutExit() {
            let first = workflow.steps[cycle[0]]
            report(first.mark, "steps \(cycle.map { "'\(workflow.steps[$0].id)'" }.joined(separator: ", ")) loop with no way out",
                   hint: "give one of them a branch to 'end', 'next' past the loop, or a step outside it")
        }
    }

    static func needsLogprobs(_ condition: Condition) -> Bool {
        switch condition {
        case .confidenceBelow: return true
        case .not(let inner): return needsLogprobs(inner)
        default: return false
        }
    }
}
