import FlowSource

extension Template {
    /// Renders with `context` (a map of variables). Prompts are not HTML, so nothing is escaped.
    ///
    /// When `strict`, a variable that resolves to nothing throws a `TemplateError` naming it and
    /// the variables that do exist; otherwise it renders as empty text.
    public func render(_ context: [String: TemplateValue], strict: Bool = true) throws(TemplateError) -> String {
        var out = ""
        let root = TemplateValue.map(context)
        for token in tokens {
            switch token {
            case .text(let text):
                out += text
            case .variable(let name, let mark):
                let path = name.split(separator: ".", omittingEmptySubsequences: false)
                if let value = root.lookup(path) {
                    out += value.interpolated
                } else if strict {
                    throw missing(name, path: path, mark: mark, root: root)
                }
            }
        }
        return out
    }

    private func missing(_ name: String, path: [Substring], mark: Mark, root: TemplateValue) -> TemplateError {
        // Name the deepest part that exists, so `{{classify.lable}}` points at `lable`.
        var known = root
        var prefix: [Substring] = []
        for part in path {
            guard case .map(let map) = known, let next = map[String(part)] else { break }
            known = next
            prefix.append(part)
        }
        let available: [String]
        if case .map(let map) = known { available = map.keys.sorted() } else { available = [] }
        let missingPart = path.count > prefix.count ? String(path[prefix.count]) : name
        let scope = prefix.isEmpty ? "" : " in '\(prefix.joined(separator: "."))'"
        var hint = available.isEmpty ? "no variables are defined here" : "defined\(scope): " + available.joined(separator: ", ")
        if let suggestion = Suggestion.closest(to: missingPart, in: available) {
            hint = "did you mean '\((prefix + [Substring(suggestion)]).joined(separator: "."))'? " + hint
        }
        return TemplateError(mark: mark, message: "variable '\(name)' is not defined", hint: hint)
    }
}
