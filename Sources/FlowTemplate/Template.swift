import FlowSource

/// A parsed template. This build supports Mustache interpolation (`{{name}}`, `{{a.b}}`,
/// `{{{raw}}}`, `{{&raw}}`) and comments (`{{! … }}`); other tags are refused with a clear error
/// rather than passed through as text.
public struct Template: Sendable {
    enum Token: Sendable {
        case text(String)
        /// A name to interpolate, split on dots, with the mark of its opening `{{`.
        case variable(name: String, Mark)
    }

    let tokens: [Token]

    /// The variables the template reads, in order of first use.
    public var variables: [String] {
        var seen = Set<String>()
        return tokens.compactMap {
            guard case .variable(let name, _) = $0, seen.insert(name).inserted else { return nil }
            return name
        }
    }

    /// Parses `text`. Throws a `TemplateError` at the tag that cannot be parsed.
    public init(_ text: String) throws(TemplateError) {
        var parser = TemplateParser(text)
        tokens = try parser.parse()
    }
}

/// A template problem, placed relative to the template text (1-based).
public struct TemplateError: Error, Sendable, Equatable {
    public var mark: Mark
    public var message: String
    public var hint: String?

    public init(mark: Mark, message: String, hint: String? = nil) {
        self.mark = mark
        self.message = message
        self.hint = hint
    }
}

struct TemplateParser {
    private let chars: [Character]
    private var index = 0
    private var line = 1
    private var column = 1

    init(_ text: String) { chars = Array(text) }

    mutating func parse() throws(TemplateError) -> [Template.Token] {
        var tokens: [Template.Token] = []
        var text = ""
        while index < chars.count {
            if startsWith("{{") {
                let mark = Mark(line: line, column: column)
                if !text.isEmpty { tokens.append(.text(text)); text = "" }
                if let token = try tag(at: mark) { tokens.append(token) }
            } else {
                text.append(advance())
            }
        }
        if !text.isEmpty { tokens.append(.text(text)) }
        return tokens
    }

    private mutating func tag(at mark: Mark) throws(TemplateError) -> Template.Token? {
        skip(2)
        var closing = "}}"
        var sigil: Character? = nil
        if index < chars.count, "{&!#^/>=<$".contains(chars[index]) {
            sigil = advance()
            if sigil == "{" { closing = "}}}" }
        }
        var body = ""
        while !startsWith(closing) {
            guard index < chars.count else {
                throw TemplateError(mark: mark, message: "unclosed tag: expected '\(closing)'")
            }
            body.append(advance())
        }
        skip(closing.count)
        let name = body.trimmingSpaces()
        switch sigil {
        case "!":
            return nil
        case nil, "{", "&":
            guard !name.isEmpty, !name.contains(where: \.isWhitespace) else {
                throw TemplateError(mark: mark, message: "a variable tag needs one name, got '\(body)'")
            }
            return .variable(name: name, mark)
        default:
            throw TemplateError(mark: mark, message: "unsupported Mustache tag '{{\(sigil!)\(body)}}'",
                                hint: "this build renders {{name}} interpolation and {{! comments }}; sections and partials are not supported yet")
        }
    }

    private func startsWith(_ prefix: String) -> Bool {
        var i = index
        for char in prefix {
            guard i < chars.count, chars[i] == char else { return false }
            i += 1
        }
        return true
    }

    private mutating func advance() -> Character {
        let char = chars[index]
        index += 1
        if char == "\n" { line += 1; column = 1 } else { column += 1 }
        return char
    }

    private mutating func skip(_ count: Int) {
        for _ in 0..<count { _ = advance() }
    }
}

extension String {
    func trimmingSpaces() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

extension Template {
    /// Where the variable `name` is used, in order.
    public func marks(of name: String) -> [Mark] {
        tokens.compactMap {
            guard case .variable(let used, let mark) = $0, used == name else { return nil }
            return mark
        }
    }
}

extension Template {
    /// A template with no text.
    public static let empty = Template(tokens: [])

    init(tokens: [Token]) { self.tokens = tokens }
}
