import FlowSource

/// One YAML node with the place it starts in the source. Aliases are resolved into copies
/// (arrays share storage, so a copy is cheap), so consumers never see anchors.
public struct Node: Sendable {
    /// What a node holds: a scalar's text, a sequence's items, or a mapping's pairs in file order.
    public enum Content: Sendable {
        case scalar(Scalar)
        case sequence([Node])
        case mapping([Pair])
    }

    /// The node's content, aliases already resolved.
    public var content: Content
    /// The explicit tag as libyaml reports it (e.g. `tag:yaml.org,2002:str`), or nil when implicit.
    public var tag: String?
    /// Block or flow style of a collection; nil for scalars.
    public var collectionStyle: CollectionStyle?
    /// Where the node starts in the file (1-based), for errors about it.
    public var mark: Mark

    /// A node as the event parser builds it; tests and the dataset reader build them too.
    public init(_ content: Content, tag: String? = nil, collectionStyle: CollectionStyle? = nil, mark: Mark) {
        self.content = content
        self.tag = tag
        self.collectionStyle = collectionStyle
        self.mark = mark
    }
}

/// A key and its value in a mapping; order is kept as written.
public struct Pair: Sendable {
    /// The key, usually a plain scalar.
    public var key: Node
    /// The value the key maps to.
    public var value: Node

    /// One entry of a mapping, in file order.
    public init(key: Node, value: Node) {
        self.key = key
        self.value = value
    }
}

/// A scalar's text as written, with its style: a quoted `"yes"` stays a string, a plain `yes` too (YAML 1.2).
public struct Scalar: Sendable, Equatable {
    /// The text after YAML's escapes and folding, before any typing.
    public var text: String
    /// How it was written, which decides typing: only plain scalars become numbers, booleans or null.
    public var style: ScalarStyle

    /// A scalar with its text and style.
    public init(text: String, style: ScalarStyle) {
        self.text = text
        self.style = style
    }
}

/// How a scalar was written: plain, quoted, or as a literal (`|`) or folded (`>`) block.
public enum ScalarStyle: Sendable, Equatable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// How a collection was written: indented block or inline flow (`[a, b]`, `{a: 1}`).
public enum CollectionStyle: Sendable, Equatable {
    case block, flow
}

extension Node {
    /// The scalar, or nil for a collection.
    public var scalar: Scalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    /// The items of a sequence, or nil.
    public var sequence: [Node]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The pairs of a mapping, or nil.
    public var mapping: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The value under a scalar key equal to `key`, if this is a mapping that has it.
    public subscript(key: String) -> Node? {
        mapping?.first { $0.key.scalar?.text == key }?.value
    }

    /// What kind of node this is, in words for error messages: "a string", "a mapping".
    public var kindDescription: String {
        switch content {
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .scalar: return value.kindDescription
        }
    }

    /// The number of nodes in this subtree, this one included.
    public var nodeCount: Int {
        switch content {
        case .scalar: return 1
        case .sequence(let items): return items.reduce(1) { $0 + $1.nodeCount }
        case .mapping(let pairs): return pairs.reduce(1) { $0 + $1.key.nodeCount + $1.value.nodeCount }
        }
    }
}
