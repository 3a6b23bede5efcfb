import FlowSource

/// A parsed Mustache template: the whole spec (variables, sections, inverted sections, comments,
/// partials, set delimiters) plus the optional inheritance (parents and blocks) and dynamic
/// names. Parsing and rendering are separate: `init` makes a token tree, `render` walks it.
public struct Template: Sendable {
    let tokens: [Token]

    /// Parses `text`. Throws a `TemplateError` at the tag that cannot be parsed: an unclosed
    /// tag or section, a mismatched or stray close tag, a bad delimiter change.
    public init(_ text: String) throws(TemplateError) {
        var lexer = Lexer(text)
        let pieces = try lexer.pieces()
        var parser = Parser(Standalone.process(pieces))
        tokens = try parser.parse()
    }

    init(tokens: [Token]) { self.tokens = tokens }

    /// A template with no text.
    public static let empty = Template(tokens: [])
}

/// A template problem, placed relative to the template text (1-based).
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where in the template (or in `partial`) the problem is.
    public var mark: Mark
    /// What is wrong, in one sentence.
    public var message: String
    /// How to fix it, when there is something specific to say (a did-you-mean, the names that exist).
    public var hint: String?
    /// The partial the problem is in, or nil for the template being rendered.
    public var partial: String?

    /// An error at `mark`; `partial` names the partial it is in, nil for the template itself.
    public init(mark: Mark, message: String, hint: String? = nil, partial: String? = nil) {
        self.mark = mark
        self.message = message
        self.hint = hint
        self.partial = partial
    }

    /// `line:column: message (hint)`, preceded by `partial 'name'` when the problem is in one.
    public var description: String {
        (partial.map { "partial '\($0)' " } ?? "") + "\(mark): \(message)" + (hint.map { " (\($0))" } ?? "")
    }
}

/// The parsed form of a template.
indirect enum Token: Sendable {
    case text(String)
    case variable(Name, escaped: Bool, Mark)
    case section(Name, [Token], inverted: Bool, Mark)
    /// `{{> name}}`; `indent` is set when the tag stands alone on its line.
    case partial(Name, dynamic: Bool, indent: String?, Mark)
    /// `{{< name}}…{{/name}}`: renders the named template with these block overrides.
    case parent(Name, dynamic: Bool, indent: String?, overrides: [String: Block], Mark)
    /// `{{$ name}}…{{/name}}`: content a parent's caller may replace.
    case block(Block)
}

/// A dotted name as written (`a.b.c`, or `.` for the current item).
struct Name: Sendable, Equatable {
    let text: String
    let parts: [Substring]

    init(_ text: String) {
        self.text = text
        parts = text == "." ? [] : text.split(separator: ".", omittingEmptySubsequences: false)
    }
}

/// A block: its content (with the indentation of its definition removed) and how content is
/// indented where the block is expanded.
struct Block: Sendable {
    var name: String
    var content: [Token]
    /// Indentation for content expanded at this block's place.
    var siteIndent: String
    /// True when the open tag stood alone: indentation goes before every line, the first
    /// included. Otherwise it goes after each newline, the literal text before the tag having
    /// already placed the first line.
    var standalone: Bool
    var mark: Mark
}
