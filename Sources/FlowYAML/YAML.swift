import FlowSource

/// Loads YAML text into a `Node` tree.
public enum YAML {
    /// Parses the single document in `source`, or returns nil when the file holds none.
    ///
    /// Throws a `Diagnostic` at the offending place for libyaml's syntax errors, a second document,
    /// a duplicate mapping key (at the second key), an unknown alias, and input past `limits`.
    public static func load(_ source: SourceFile, limits: YAMLLimits = .default) throws(Diagnostic) -> Node? {
        let bytes = Array(source.text.utf8)
        guard bytes.count <= limits.maxDocumentBytes else {
            throw Diagnostic(path: source.path, mark: nil,
                             message: "file is \(bytes.count) bytes, over the limit of \(limits.maxDocumentBytes) bytes",
                             hint: "split large data into a dataset file")
        }
        var composer = Composer(parser: EventParser(bytes: bytes), source: source, limits: limits)
        return try composer.document()
    }
}

/// Builds nodes from events, resolving aliases and enforcing the limits.
struct Composer {
    let parser: EventParser
    let source: SourceFile
    let limits: YAMLLimits
    private var anchors: [String: (node: Node, size: Int)] = [:]
    private var expanded = 0
    private var depth = 0

    init(parser: EventParser, source: SourceFile, limits: YAMLLimits) {
        self.parser = parser
        self.source = source
        self.limits = limits
    }

    mutating func document() throws(Diagnostic) -> Node? {
        guard case .streamStart = try next() else { throw error(nil, "expected the start of a YAML stream") }
        let first = try next()
        guard case .documentStart = first else { return nil }
        let root = try node(try next())
        _ = try next()  // document end
        if case .documentStart(let mark) = try next() {
            throw error(mark, "a workflow file holds one YAML document; a second one starts here",
                        hint: "remove the '---' line or move the second document to its own file")
        }
        return root
    }

    private mutating func node(_ event: Event) throws(Diagnostic) -> Node {
        switch event {
        case .scalar(let scalar, let anchor, let tag, let mark):
            return remember(Node(.scalar(scalar), tag: tag, mark: mark), anchor: anchor, size: 1)
        case .alias(let name, let mark):
            guard let (node, size) = anchors[name] else {
                let hint = Suggestion.closest(to: name, in: anchors.keys).map { "did you mean '*\($0)'?" }
                    ?? "define the anchor with '&\(name)' before this alias"
                throw error(mark, "unknown alias '*\(name)'", hint: hint)
            }
            expanded += size
            guard expanded <= limits.maxAliasExpansion else {
                throw error(mark, "aliases expand to more than \(limits.maxAliasExpansion) nodes",
                            hint: "this looks like an alias bomb; reduce the nesting of aliases")
            }
            var copy = node
            copy.mark = mark
            return copy
        case .sequenceStart(let anchor, let tag, let style, let mark):
            try enter(mark)
            var items: [Node] = []
            var size = 1
            while true {
                let event = try next()
                if case .sequenceEnd = event { break }
                let item = try node(event)
                size += item.nodeCount
                items.append(item)
            }
            depth -= 1
            return remember(Node(.sequence(items), tag: tag, collectionStyle: style, mark: mark), anchor: anchor, size: size)
        case .mappingStart(let anchor, let tag, let style, let mark):
            try enter(mark)
            var pairs: [Pair] = []
            var seen: [String: Mark] = [:]
            var size = 1
            while true {
                let event = try next()
                if case .mappingEnd = event { break }
                let key = try node(event)
                if let identity = Composer.identity(of: key) {
                    if let first = seen[identity] {
                        throw error(key.mark, "duplicate key '\(key.scalar?.text ?? "")' (first defined at \(first))",
                                    hint: "remove one of them; YAML keeps only one value per key")
                    }
                    seen[identity] = key.mark
                }
                let value = try node(try next())
                size += key.nodeCount + value.nodeCount
                pairs.append(Pair(key: key, value: value))
            }
            depth -= 1
            return remember(Node(.mapping(pairs), tag: tag, collectionStyle: style, mark: mark), anchor: anchor, size: size)
        default:
            throw error(nil, "unexpected YAML event")
        }
    }

    private mutating func enter(_ mark: Mark) throws(Diagnostic) {
        depth += 1
        guard depth <= limits.maxDepth else {
            throw error(mark, "nesting deeper than \(limits.maxDepth) levels")
        }
    }

    private mutating func remember(_ node: Node, anchor: String?, size: Int) -> Node {
        if let anchor { anchors[anchor] = (node, size) }
        return node
    }

    /// Scalar keys are equal when their resolved values are: `1` and `"1"` differ, `a` and `"a"` do not.
    private static func identity(of key: Node) -> String? {
        switch key.value {
        case .string(let text): return "s:" + text
        case .int(let int): return "i:\(int)"
        case .float(let double): return "f:\(double)"
        case .bool(let bool): return "b:\(bool)"
        case .null: return key.scalar == nil ? nil : "null"
        }
    }

    private func next() throws(Diagnostic) -> Event {
        do {
            return try parser.next()
        } catch {
            let advice = SyntaxAdvice.explain(error, in: source)
            throw Diagnostic(source, advice.mark, advice.message, hint: advice.hint)
        }
    }

    private func error(_ mark: Mark?, _ message: String, hint: String? = nil) -> Diagnostic {
        Diagnostic(source, mark, message, hint: hint)
    }
}
