import FlowSource

extension Template {
    /// Renders with `context` as the root of the context stack.
    /// Throws `TemplateError` for a missing name under `.error`, or partials nested too deep.
    public func render(_ context: [String: TemplateValue], options: RenderOptions) throws(TemplateError) -> String {
        try render(root: .map(context), options: options)
    }

    /// Renders with any value as the root of the context stack (the spec allows a list or a
    /// string at the root, read with `{{.}}`).
    public func render(root: TemplateValue, options: RenderOptions) throws(TemplateError) -> String {
        var renderer = Renderer(options: options)
        try renderer.render(tokens, stack: [root], overrides: [:])
        return renderer.out
    }

    /// Renders in prompt mode: no escaping; `strict` makes missing names errors.
    public func render(_ context: [String: TemplateValue], strict: Bool = true) throws(TemplateError) -> String {
        try render(context, options: RenderOptions(missing: strict ? .error : .empty))
    }
}

struct Renderer {
    let options: RenderOptions
    var out = ""
    /// Added at the start of each line of template text (standalone partials and blocks).
    private var indent = ""
    private var atLineStart = true
    private var depth = 0
    /// The partial being rendered, to place errors.
    private var partial: String?

    init(options: RenderOptions) { self.options = options }

    mutating func render(_ tokens: [Token], stack: [TemplateValue], overrides: [String: Block]) throws(TemplateError) {
        for token in tokens {
            switch token {
            case .text(let text):
                emitTemplateText(text)
            case .variable(let name, let escaped, let mark):
                guard let value = lookup(name, stack) else {
                    switch options.missing {
                    case .error: throw missing(name, mark: mark, stack: stack, what: "variable")
                    case .empty: continue
                    case .placeholder: emitValue("[\(name.text)]"); continue
                    }
                }
                let text = value.interpolated
                emitValue(escaped && options.escaping == .html ? Self.htmlEscape(text) : text)
            case .section(let name, let body, let inverted, let mark):
                let value = lookup(name, stack)
                if value == nil, options.missing == .error {
                    throw missing(name, mark: mark, stack: stack, what: "section")
                }
                let truthy = value?.isTruthy ?? false
                if inverted {
                    if !truthy { try render(body, stack: stack, overrides: overrides) }
                } else if case .list(let items)? = value {
                    for item in items { try render(body, stack: stack + [item], overrides: overrides) }
                } else if truthy, let value {
                    try render(body, stack: stack + [value], overrides: overrides)
                }
            case .partial(let name, let dynamic, let partialIndent, let mark):
                guard let (partialName, template) = try resolve(name, dynamic: dynamic, mark: mark, stack: stack) else { continue }
                try include(template, named: partialName, indent: partialIndent, stack: stack, overrides: overrides, mark: mark)
            case .parent(let name, let dynamic, let parentIndent, let parentOverrides, let mark):
                guard let (parentName, template) = try resolve(name, dynamic: dynamic, mark: mark, stack: stack) else { continue }
                // The caller's overrides win over the parent's own, so the outermost template decides.
                let merged = parentOverrides.merging(overrides) { _, outer in outer }
                try include(template, named: parentName, indent: parentIndent, stack: stack, overrides: merged, mark: mark)
            case .block(let block):
                let savedIndent = indent
                let content = overrides[block.name]?.content ?? block.content
                if block.standalone {
                    indent += block.siteIndent
                    atLineStart = true
                } else if overrides[block.name] != nil {
                    // Inline: the text before the tag placed the first line; later lines line up with it.
                    indent += block.siteIndent
                }
                try render(content, stack: stack, overrides: overrides)
                indent = savedIndent
            }
        }
    }

    private mutating func include(_ template: Template, named name: String, indent extra: String?, stack: [TemplateValue],
                                  overrides: [String: Block], mark: Mark) throws(TemplateError) {
        guard depth < options.maxDepth else {
            throw TemplateError(mark: mark, message: "partials nest deeper than \(options.maxDepth) levels at '\(name)'",
                                hint: "a partial probably includes itself without a section that ends the recursion",
                                partial: partial)
        }
        let saved = (indent, partial)
        if let extra {
            indent += extra
            atLineStart = true
        }
        depth += 1
        partial = name
        try render(template.tokens, stack: stack, overrides: overrides)
        depth -= 1
        (indent, partial) = saved
    }

    /// The partial a tag names, or nil when it renders nothing.
    private mutating func resolve(_ name: Name, dynamic: Bool, mark: Mark, stack: [TemplateValue]) throws(TemplateError) -> (String, Template)? {
        var partialName = name.text
        if dynamic {
            guard case .string(let resolved)? = lookup(name, stack) else {
                if options.missing == .error { throw missing(name, mark: mark, stack: stack, what: "dynamic partial name") }
                return nil
            }
            partialName = resolved
        }
        guard let template = options.partials[partialName] else {
            if options.missing == .error {
                let known = options.partials.templates.keys.sorted()
                throw TemplateError(mark: mark, message: "partial '\(partialName)' not found",
                                    hint: Suggestion.hint(for: partialName, in: known) ?? (known.isEmpty ? "no partials are available" : "available: " + known.joined(separator: ", ")),
                                    partial: partial)
            }
            return nil
        }
        return (partialName, template)
    }

    /// Mustache name resolution: the first part is looked up from the top of the stack down;
    /// the other parts only inside what it found.
    private func lookup(_ name: Name, _ stack: [TemplateValue]) -> TemplateValue? {
        guard let first = name.parts.first else { return stack.last }
        var found: TemplateValue?
        for context in stack.reversed() {
            if case .map(let map) = context, let value = map[String(first)] {
                found = value
                break
            }
        }
        guard var current = found else { return nil }
        for part in name.parts.dropFirst() {
            guard case .map(let map) = current, let next = map[String(part)] else { return nil }
            current = next
        }
        return current
    }

    private mutating func emitTemplateText(_ text: String) {
        if indent.isEmpty {
            out += text
            if let last = text.last { atLineStart = last == "\n" || last == "\r\n" }
            return
        }
        var rest = Substring(text)
        while !rest.isEmpty {
            if atLineStart {
                out += indent
                atLineStart = false
            }
            if let newline = rest.firstIndex(where: { $0 == "\n" || $0 == "\r\n" }) {
                out += rest[...newline]
                rest = rest[rest.index(after: newline)...]
                atLineStart = true
            } else {
                out += rest
                rest = ""
            }
        }
    }

    /// Interpolated values are not re-indented: their line breaks are data, not template.
    private mutating func emitValue(_ text: String) {
        guard !text.isEmpty else { return }
        if atLineStart {
            out += indent
            atLineStart = false
        }
        out += text
    }

    static func htmlEscape(_ text: String) -> String {
        guard text.contains(where: { "&<>\"".contains($0) }) else { return text }
        var out = ""
        for char in text {
            switch char {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(char)
            }
        }
        return out
    }

    private func missing(_ name: Name, mark: Mark, stack: [TemplateValue], what: String) -> TemplateError {
        // Name the deepest part that exists, so `{{classify.lable}}` points at `lable`.
        var scope: [String: TemplateValue] = [:]
        for case .map(let map) in stack { scope.merge(map) { _, inner in inner } }
        var known = TemplateValue.map(scope)
        var prefix: [Substring] = []
        for part in name.parts {
            guard case .map(let map) = known, let next = map[String(part)] else { break }
            known = next
            prefix.append(part)
        }
        let available: [String]
        if case .map(let map) = known { available = map.keys.sorted() } else { available = [] }
        let missingPart = name.parts.count > prefix.count ? String(name.parts[prefix.count]) : name.text
        let inScope = prefix.isEmpty ? "" : " in '\(prefix.joined(separator: "."))'"
        var hint = available.isEmpty ? "no variables are defined here" : "defined\(inScope): " + available.joined(separator: ", ")
        if let suggestion = Suggestion.closest(to: missingPart, in: available) {
            hint = "did you mean '\((prefix + [Substring(suggestion)]).joined(separator: "."))'? " + hint
        }
        return TemplateError(mark: mark, message: "\(what) '\(name.text)' is not defined", hint: hint, partial: partial)
    }
}
