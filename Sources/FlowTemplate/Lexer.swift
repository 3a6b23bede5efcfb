import FlowSource

/// A piece of template source: text without line breaks, a line break, or a tag.
enum Piece {
    case text(String)
    case newline(String)
    case tag(Tag)
}

struct Tag {
    enum Kind: Equatable {
        case variable(escaped: Bool)
        case section, inverted, close, comment, partial, parent, block, delimiters
    }

    var kind: Kind
    /// The tag's content, trimmed: a name, or for comments and delimiters the raw text.
    var content: String
    var mark: Mark
    /// Set by `Standalone`: the tag stood alone on its line, which is removed from the output.
    var standalone = false
    /// For a standalone tag, the whitespace that began its line.
    var indent = ""
    /// For a tag preceded on its line only by whitespace, that whitespace.
    var linePrefix: String?

    /// Tags that produce no text of their own may stand alone on a line.
    var canStandAlone: Bool {
        if case .variable = kind { return false }
        return true
    }
}

/// Splits template source into pieces, applying `{{=<% %>=}}` delimiter changes as it goes.
struct Lexer {
    private let chars: [Character]
    private var index = 0
    private var line = 1
    private var column = 1
    private var open: [Character] = ["{", "{"]
    private var close: [Character] = ["}", "}"]

    init(_ text: String) { chars = Array(text) }

    mutating func pieces() throws(TemplateError) -> [Piece] {
        var pieces: [Piece] = []
        var text = ""
        func flush() {
            if !text.isEmpty { pieces.append(.text(text)); text = "" }
        }
        while index < chars.count {
            if matches(open) {
                flush()
                pieces.append(.tag(try tag()))
            } else if chars[index] == "\n" {
                flush()
                advance()
                pieces.append(.newline("\n"))
            } else if chars[index] == "\r\n" {
                // Swift reads CRLF as one Character.
                flush()
                advance()
                pieces.append(.newline("\r\n"))
            } else {
                text.append(chars[index])
                advance()
            }
        }
        flush()
        return pieces
    }

    private mutating func tag() throws(TemplateError) -> Tag {
        let mark = Mark(line: line, column: column)
        skip(open.count)
        var closing = close
        var kind = Tag.Kind.variable(escaped: true)
        if index < chars.count {
            switch chars[index] {
            case "{": kind = .variable(escaped: false); closing = ["}"] + close; advance()
            case "&": kind = .variable(escaped: false); advance()
            case "#": kind = .section; advance()
            case "^": kind = .inverted; advance()
            case "/": kind = .close; advance()
            case "!": kind = .comment; advance()
            case ">": kind = .partial; advance()
            case "<": kind = .parent; advance()
            case "$": kind = .block; advance()
            case "=": kind = .delimiters; closing = ["="] + close; advance()
            default: break
            }
        }
        var body = ""
        while !matches(closing) {
            guard index < chars.count else {
                throw TemplateError(mark: mark, message: "unclosed tag: expected '\(String(closing))'",
                                    hint: "close the tag that starts here")
            }
            body.append(chars[index])
            advance()
        }
        skip(closing.count)
        var content = body.trimmed
        if kind == .partial || kind == .parent, content.hasPrefix("*") {
            // `{{> * name }}` is the dynamic partial `*name`.
            content = "*" + String(content.dropFirst()).trimmed
        }
        switch kind {
        case .comment:
            return Tag(kind: kind, content: body, mark: mark)
        case .delimiters:
            let parts = content.split(whereSeparator: \.isWhitespace)
            guard parts.count == 2, !parts.contains(where: { $0.contains("=") }) else {
                throw TemplateError(mark: mark, message: "bad delimiter change '\(String(open))=\(body)=\(String(close))'",
                                    hint: "write two delimiters separated by a space, without '=', e.g. {{=<% %>=}}")
            }
            open = Array(parts[0])
            close = Array(parts[1])
            return Tag(kind: kind, content: content, mark: mark)
        default:
            guard !content.isEmpty else {
                throw TemplateError(mark: mark, message: "empty tag '\(String(open))\(body)\(String(closing))'",
                                    hint: "a tag needs a name, e.g. {{name}}")
            }
            guard !content.contains(where: \.isWhitespace) else {
                throw TemplateError(mark: mark, message: "tag name '\(content)' contains a space",
                                    hint: "names are one word, with dots for fields: {{ticket.title}}")
            }
            return Tag(kind: kind, content: content, mark: mark)
        }
    }

    private func matches(_ delimiter: [Character]) -> Bool {
        guard index + delimiter.count <= chars.count else { return false }
        for offset in 0..<delimiter.count where chars[index + offset] != delimiter[offset] { return false }
        return true
    }

    private mutating func advance() {
        if chars[index] == "\n" || chars[index] == "\r\n" { line += 1; column = 1 } else { column += 1 }
        index += 1
    }

    private mutating func skip(_ count: Int) {
        for _ in 0..<count { advance() }
    }
}

extension String {
    var trimmed: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    var isBlank: Bool { allSatisfy { $0 == " " || $0 == "\t" } }
}
