/// The steps as a graph of where a complete answer (`stop`) leads, to find loops that cannot end.
/// Sets of steps are flags by index, not `Set<Int>`: every `flow validate` builds this graph, and
/// the first `Set<Int>` of a process has the runtime look up `Int: Hashable` by a scan of every
/// conformance record.
struct StepGraph {
    /// Successors of each step; `count` stands for the end of the run.
    let edges: [[Int]]
    let count: Int

    init(_ workflow: Workflow) {
        count = workflow.steps.count
        var edges: [[Int]] = []
        for (index, step) in workflow.steps.enumerated() {
            let after = index + 1  // == count past the last step: the run ends
            var targets = [Bool](repeating: false, count: count + 1)
            let cases = step.branches[.stop] ?? []
            for branchCase in cases {
                switch branchCase.action {
                case .next: targets[after] = true
                case .goto(let id): targets[workflow.index(of: id) ?? count] = true
                case .end, .fail: targets[count] = true
                // These resolve within the step and can fail it, which ends the run.
                case .continueAnswer, .retry, .tools: targets[count] = true
                }
            }
            // No unconditional last case: an unmatched answer takes the default, next.
            if cases.last?.condition != nil || cases.isEmpty { targets[after] = true }
            // An asking step ends the run at the end of input or an exit word.
            if step.ask != nil { targets[count] = true }
            edges.append(targets.indices.filter { targets[$0] })
        }
        self.edges = edges
    }

    /// Groups of steps that loop (a strongly connected component with a cycle) and have no edge
    /// leaving the group, each as step indexes in order.
    func cyclesWithoutExit() -> [[Int]] {
        var index = 0
        var indexes = [Int?](repeating: nil, count: count)
        var lowlinks = [Int](repeating: 0, count: count)
        var onStack = [Bool](repeating: false, count: count)
        var stack: [Int] = []
        var components: [[Int]] = []

        func connect(_ node: Int) {
            indexes[node] = index
            lowlinks[node] = index
            index += 1
            stack.append(node)
            onStack[node] = true
            for next in edges[node] where next < count {
                if indexes[next] == nil {
                    connect(next)
                    lowlinks[node] = min(lowlinks[node], lowlinks[next])
                } else if onStack[next] {
                    lowlinks[node] = min(lowlinks[node], indexes[next]!)
                }
            }
            if lowlinks[node] == indexes[node] {
                var component: [Int] = []
                while let top = stack.popLast() {
                    onStack[top] = false
                    component.append(top)
                    if top == node { break }
                }
                components.append(component.sorted())
            }
        }

        for node in 0..<count where indexes[node] == nil { connect(node) }
        return components.filter { component in
            var members = [Bool](repeating: false, count: count + 1)
            for node in component { members[node] = true }
            let loops = component.count > 1 || edges[component[0]].contains(component[0])
            let exits = component.contains { edges[$0].contains { !members[$0] } }
            return loops && !exits
        }.sorted { $0[0] < $1[0] }
    }

    /// Steps no path from the first step reaches, through any branch of any reason.
    static func unreachable(_ workflow: Workflow) -> [Int] {
        guard !workflow.steps.isEmpty else { return [] }
        var seen = [Bool](repeating: false, count: workflow.steps.count)
        seen[0] = true
        var queue = [0]
        while let index = queue.popLast() {
            let step = workflow.steps[index]
            var targets: [Int] = []
            let stopCases = step.branches[.stop] ?? []
            let reachesNext = stopCases.isEmpty || stopCases.last?.condition != nil
                || step.branches.values.joined().contains { $0.action == .next }
            if reachesNext { targets.append(index + 1) }
            for cases in step.branches.values {
                for branchCase in cases { if case .goto(let id) = branchCase.action, let target = workflow.index(of: id) { targets.append(target) } }
            }
            for target in targets where target < workflow.steps.count && !seen[target] {
                seen[target] = true
                queue.append(target)
            }
        }
        return (0..<workflow.steps.count).filter { !seen[$0] }
    }
}
