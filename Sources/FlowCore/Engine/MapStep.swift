import FlowTemplate

/// `map:` on a step: the step once per item of a list, each item in a conversation of its own
/// that starts from the system prompt, at most `concurrency` in flight, the answers gathered in
/// the items' order. Every item's request is counted against the budgets before any is sent.
extension Interpreter {
    /// Where an item's answer is saved in its own conversation: a name with a space, which no
    /// variable can have, so it never hides one.
    static let itemAnswerSlot = "map answer"

    /// What one item came to.
    enum ItemOutcome: Sendable {
        case answered(TemplateValue, RunProgress)
        case failed(RunError, RunProgress)
    }

    func mapStep(_ step: Step, map: MapSpec, loaded: LoadedWorkflow, table: ProviderTable, conversation: inout Conversation,
                 run: inout RunProgress) async throws(RunError) -> Transition {
        let items = if let split = map.split {
            try conversation.chunks(map.over, split: split, step: step.id)
        } else {
            try conversation.list(map.over, step: step.id)
        }
        let itemStep = Self.itemStep(step)
        // The budget counts every item before the first is sent, so a map never stops half-paid.
        // A mapped call's requests are its callee's, counted by the callee's own limits.
        if step.call == nil {
            let model = conversation.model(for: step)
            var requests: [ChatRequest] = []
            for item in items {
                var child = itemConversation(conversation, map: map, item: item)
                requests.append(try child.request(for: itemStep))
            }
            if let over = Budget.check(requests, model: model, limits: loaded.workflow.limits, price: prices.price(for: model),
                                       tokensUsed: run.tokensUsed, costSoFar: run.costUSD) {
                throw RunError(RunError.kind(of: over), "step '\(step.id)': \(over.message)", step: step.id)
            }
        }
        transcript.record(.mapStart, JSON.object(omittingNil: [
            ("step", .string(step.id)), ("over", .string(map.over)), ("items", .int(items.count)), ("concurrency", .int(map.concurrency)),
            ("split", map.split.map { .object([("by", .string($0.unit.rawValue)), ("max_tokens", .int($0.maxTokens))]) }),
        ]).pairs)
        let base = conversation, start = run
        let outcomes = await withTaskGroup(of: (Int, ItemOutcome).self) { group -> [ItemOutcome?] in
            var outcomes = [ItemOutcome?](repeating: nil, count: items.count)
            var next = 0
            func launch() {
                let index = next, item = items[index]
                next += 1
                group.addTask { (index, await self.runItem(index, item: item, step: itemStep, map: map, loaded: loaded, table: table,
                                                           base: base, start: start)) }
            }
            while next < min(map.concurrency, items.count) { launch() }
            for await (index, outcome) in group {
                outcomes[index] = outcome
                // A failure that fails the run sends no more items; but a replay that found no
                // recording lets every item look for its own, so a batch round (flow test
                // --batch) collects all of a map's items at once rather than a few per round.
                if case .failed(let error, _) = outcome, map.onItemError == .fail, error.kind != .cassetteMiss { group.cancelAll(); continue }
                if next < items.count, !Task.isCancelled { launch() }
            }
            return outcomes
        }
        var answers: [TemplateValue] = []
        var failed = 0
        var firstError: RunError?
        for (index, outcome) in outcomes.enumerated() {
            guard let outcome else { continue }
            switch outcome {
            case .answered(let value, let progress):
                run.absorb(progress, from: start)
                answers.append(value)
            case .failed(let error, let progress):
                run.absorb(progress, from: start)
                failed += 1
                if firstError == nil { firstError = RunError(error.kind, "step '\(step.id)', item \(index + 1) of \(items.count): \(error.message)", step: step.id) }
                if map.onItemError == .null { answers.append(.null) }
            }
        }
        transcript.record(.mapEnd, [("step", .string(step.id)), ("answered", .int(outcomes.count - failed)), ("failed", .int(failed)),
                                    ("on_item_error", .string(map.onItemError.rawValue))])
        if map.onItemError == .fail, let firstError { return .fail(firstError) }
        if let save = step.save { conversation.variables[save] = .list(answers) }
        return .next
    }

    /// The step as each item runs it: unmapped, its answer saved where the map collects it.
    private static func itemStep(_ step: Step) -> Step {
        var itemStep = step
        itemStep.map = nil
        itemStep.save = itemAnswerSlot
        return itemStep
    }

    /// An item's own conversation: the system prompt, the run's variables, the item as `as`.
    private func itemConversation(_ base: Conversation, map: MapSpec, item: TemplateValue) -> Conversation {
        var child = base
        child.startFresh()
        child.variables[map.name] = item
        return child
    }

    /// Runs one item: its events carry the item's number, its answer is the saved value.
    private func runItem(_ index: Int, item: TemplateValue, step: Step, map: MapSpec, loaded: LoadedWorkflow, table: ProviderTable,
                         base: Conversation, start: RunProgress) async -> ItemOutcome {
        var child = itemConversation(base, map: map, item: item)
        var progress = start
        var interpreter = self
        interpreter.transcript = ItemTranscript(inner: transcript, item: index)
        do throws(RunError) {
            if case .fail(let error) = try await interpreter.visitOrCall(step, loaded: loaded, table: table, conversation: &child, run: &progress) {
                return .failed(error, progress)
            }
            return .answered(child.variables[Self.itemAnswerSlot] ?? .null, progress)
        } catch {
            return .failed(error, progress)
        }
    }
}

/// A mapped item's events: each names the item (0-based, in the list's order) beside its step.
struct ItemTranscript: TranscriptSink {
    let inner: any TranscriptSink
    let item: Int

    func record(_ type: EventType, _ fields: [(String, JSON)]) { inner.record(type, fields + [("item", .int(item))]) }
    var isRecording: Bool { inner.isRecording }
}

extension RunProgress {
    /// Adds what an item spent since `start` (the progress it began from).
    mutating func absorb(_ item: RunProgress, from start: RunProgress) {
        steps += item.steps.dropFirst(start.steps.count)
        path += item.path.dropFirst(start.path.count)
        tokensUsed += item.tokensUsed - start.tokensUsed
        costUSD += item.costUSD - start.costUSD
        unpricedModels.formUnion(item.unpricedModels)
    }
}

extension Conversation {
    /// The value a dotted name (`doc.chunks`) reaches in the variables, nil when it reaches none.
    func value(at name: String) -> TemplateValue? {
        var value: TemplateValue? = .map(variables)
        for part in name.split(separator: ".") {
            guard case .map(let fields)? = value else { return nil }
            value = fields[String(part)]
        }
        return value
    }

    /// The list `name` (`tickets`, `doc.chunks`) holds; a run error when it holds something else.
    func list(_ name: String, step: String) throws(RunError) -> [TemplateValue] {
        switch value(at: name) {
        case .list(let items)?: return items
        case nil, .null?: throw RunError(.stepFailed, "step '\(step)' maps over '\(name)', which holds nothing", step: step)
        case .string(let text)?:
            throw RunError(.stepFailed, "step '\(step)' maps over '\(name)', which holds text (\(text.prefix(40))…) rather than a list; give it a list (a JSON array in --var, a list in vars:, or a parse: json step's array), or cut the text with split: {by: paragraphs, max_tokens: 1500}", step: step)
        case let other?:
            throw RunError(.stepFailed, "step '\(step)' maps over '\(name)', which holds \(other.interpolated.prefix(60)) rather than a list; give it a list (a JSON array in --var, a list in vars:, or a parse: json step's array)", step: step)
        }
    }

    /// The text `name` holds, cut by `split`; a run error when it holds something else.
    func chunks(_ name: String, split: TextSplit, step: String) throws(RunError) -> [TemplateValue] {
        switch value(at: name) {
        case .string(let text)?: return split.chunks(text).map(TemplateValue.string)
        case nil, .null?: throw RunError(.stepFailed, "step '\(step)' splits '\(name)', which holds nothing", step: step)
        case .list?: throw RunError(.stepFailed, "step '\(step)' splits '\(name)', which is a list already: remove 'split' to map over its items", step: step)
        case let other?: throw RunError(.stepFailed, "step '\(step)' splits '\(name)', which holds \(other.interpolated.prefix(60)) rather than text", step: step)
        }
    }
}
