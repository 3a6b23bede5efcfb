import FlowSource

extension Template {
    /// Names read outside any section, in order of first use: these must come from the
    /// workflow's inputs or earlier steps. (Inside a section a name may be a field of the
    /// section's item, so only the runtime can check it.)
    public var variables: [String] {
        var seen = Set<String>()
        var names: [String] = []
        func visit(_ tokens: [Token]) {
            for token in tokens {
                switch token {
                case .variable(let name, _, _), .section(let name, _, _, _):
                    if !name.parts.isEmpty, seen.insert(name.text).inserted { names.append(name.text) }
                case .partial(let name, true, _, _), .parent(let name, true, _, _, _):
                    if seen.insert(name.text).inserted { names.append(name.text) }
                case .block(let block):
                    visit(block.content)
                default:
                    break
                }
            }
        }
        visit(tokens)
        return names
    }

    /// Where `name` is first used outside sections, in order.
    public func marks(of name: String) -> [Mark] {
        tokens.compactMap { token in
            switch token {
            case .variable(let used, _, let mark), .section(let used, _, _, let mark):
                return used.text == name ? mark : nil
            case .partial(let used, true, _, let mark), .parent(let used, true, _, _, let mark):
                return used.text == name ? mark : nil
            default:
                return nil
            }
        }
    }

    /// Partials named literally anywhere in the template (not dynamic ones), in order.
    public var partialNames: [String] {
        var names: [String] = []
        for (name, _) in partialReferences where !names.contains(name) { names.append(name) }
        return names
    }

    /// Every literal partial or parent tag: the name and where the tag is.
    public var partialReferences: [(String, Mark)] {
        var references: [(String, Mark)] = []
        func visit(_ tokens: [Token]) {
            for token in tokens {
                switch token {
                case .partial(let name, false, _, let mark):
                    references.append((name.text, mark))
                case .parent(let name, let dynamic, _, let overrides, let mark):
                    if !dynamic { references.append((name.text, mark)) }
                    for block in overrides.values.sorted(by: { $0.mark < $1.mark }) { visit(block.content) }
                case .section(_, let body, _, _):
                    visit(body)
                case .block(let block):
                    visit(block.content)
                default:
                    break
                }
            }
        }
        visit(tokens)
        return references
    }

    /// True when a partial or parent name is looked up at render time (`{{>*name}}`).
    public var usesDynamicPartials: Bool {
        func visit(_ tokens: [Token]) -> Bool {
            tokens.contains { token in
                switch token {
                case .partial(_, true, _, _), .parent(_, true, _, _, _): return true
                case .parent(_, false, _, let overrides, _): return overrides.values.contains { visit($0.content) }
                case .section(_, let body, _, _): return visit(body)
                case .block(let block): return visit(block.content)
                default: return false
                }
            }
        }
        return visit(tokens)
    }
}
