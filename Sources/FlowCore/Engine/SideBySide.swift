import FlowTemplate

/// Steps side by side (`after:`): a group of steps written together, each started as soon as
/// the steps it waits for have answered, each in a copy of the conversation as it stood when
/// the group began. Their answers join the run through `save`, not the shared conversation (two
/// answers at once have no order in it); the run's answers and events are gathered in the order
/// the steps are written, whatever order they finished in.
extension Interpreter {
    /// What one step of the group came to.
    struct SideOutcome: Sendable {
        var saved: [String: TemplateValue]
        var progress: RunProgress
        var failure: RunError?
    }

    func sideBySide(_ group: Range<Int>, loaded: LoadedWorkflow, table: ProviderTable, conversation: inout Conversation,
                    run: inout RunProgress) async throws(RunError) -> Transition {
        let workflow = loaded.workflow
        let base = conversation, start = run
        let members = Array(group)
        // Each member's wait, as indices into `members`.
        let waits: [Set<Int>] = members.map { index in
            Set((workflow.steps[index].after ?? []).compactMap { id in workflow.index(of: id).flatMap { members.firstIndex(of: $0) } })
        }
        let outcomes = await withTaskGroup(of: (Int, SideOutcome).self) { tasks -> [SideOutcome?] in
            var outcomes = [SideOutcome?](repeating: nil, count: members.count)
            var started = Set<Int>()
            var saved: [String: TemplateValue] = [:]
            func launchReady() {
                for member in members.indices where !started.contains(member) && waits[member].allSatisfy({ outcomes[$0] != nil }) {
                    started.insert(member)
                    var own = base
                    own.variables.merge(saved) { _, new in new }
                    let step = workflow.steps[members[member]]
                    tasks.addTask { (member, await self.runBeside(step, loaded: loaded, table: table, conversation: own, start: start)) }
                }
            }
            launchReady()
            for await (member, outcome) in tasks {
                outcomes[member] = outcome
                // A failure fails the run: nothing more starts, and what runs is stopped (a replay
                // miss excepted, as in a map: the steps beside it still look up their answers).
                if let failure = outcome.failure {
                    if failure.kind != .cassetteMiss { tasks.cancelAll() }
                    continue
                }
                saved.merge(outcome.saved) { _, new in new }
                if !Task.isCancelled { launchReady() }
            }
            return outcomes
        }
        var firstFailure: RunError?
        for outcome in outcomes {
            guard let outcome else { continue }
            run.absorb(outcome.progress, from: start)
            conversation.variables.merge(outcome.saved) { _, new in new }
            if firstFailure == nil, let failure = outcome.failure { firstFailure = failure }
        }
        if let firstFailure { return .fail(firstFailure) }
        return .next
    }

    /// One step of the group in its own copy of the conversation; what it saved comes back.
    private func runBeside(_ step: Step, loaded: LoadedWorkflow, table: ProviderTable, conversation: Conversation,
                           start: RunProgress) async -> SideOutcome {
        var own = conversation
        var progress = start
        do throws(RunError) {
            let transition = if let map = step.map {
                try await mapStep(step, map: map, loaded: loaded, table: table, conversation: &own, run: &progress)
            } else {
                try await visitOrCall(step, loaded: loaded, table: table, conversation: &own, run: &progress)
            }
            if case .fail(let error) = transition { return SideOutcome(saved: [:], progress: progress, failure: error) }
            let saved = step.save.flatMap { name in own.variables[name].map { [name: $0] } } ?? [:]
            return SideOutcome(saved: saved, progress: progress, failure: nil)
        } catch {
            return SideOutcome(saved: [:], progress: progress, failure: error)
        }
    }
}
