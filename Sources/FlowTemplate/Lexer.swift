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
/// Works on UTF-8 bytes, which keeps it fast; columns count Unicode scalars.
struct Lexer {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1
    private var open: [UInt8] = Array("{{".utf8)
    private var close: [UInt8] = Array("}}".utf8)

    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    init(_ text: String) { bytes = Array(text.utf8) }

    mutating func pieces() throws(TemplateError) -> [Piece] {
        var pieces: [Piece] = []
        while index < bytes.count {
            if matches(open) {
                pieces.append(.tag(try tag()))
            } else if let width = newlineWidth(at: index) {
                pieces.append(.newline(width == 1 ? "\n" : "\r\n"))
                index += width
                line += 1
                column = 1
            } else {
                let start = index
                while index < bytes.count, newlineWidth(at: index) == nil, !matches(open) {
                    if bytes[index] & 0xC0 != 0x80 { column += 1 }
                    index += 1
                }
                pieces.append(.text(text(start..<index)))
            }
        }
        return pieces
    }

    private mutating func tag() throws(TemplateError) -> Tag {
        let mark = Mark(line: line, column: column)
        skip(open.count)
        var closing = close
        var kind = Tag.Kind.variable(escaped: true)
        if index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"): kind = .variable(escaped: false); closing = [UInt8(ascii: "}")] + close; skip(1)
            case UInt8(ascii: "&"): kind = .variable(escaped: false); skip(1)
            case UInt8(ascii: "#"): kind = .section; skip(1)
            case UInt8(ascii: "^"): kind = .inverted; skip(1)
            case UInt8(ascii: "/"): kind = .close; skip(1)
            case UInt8(ascii: "!"): kind = .comment; skip(1)
            case UInt8(ascii: ">"): kind = .partial; skip(1)
            case UInt8(ascii: "<"): kind = .parent; skip(1)
            case UInt8(ascii: "$"): kind = .block; skip(1)
            case UInt8(ascii: "="): kind = .delimiters; closing = [UInt8(ascii: "=")] + close; skip(1)
            default: break
            }
        }
        let start = index
        while !matches(closing) {
            guard index < bytes.count else {
                throw TemplateError(mark: mark, message: "unclosed tag: expected '\(String(decoding: closing, as: UTF8.self))'",
                                    hint: "close the tag that starts here")
            }
            skip(1)
        }
        let body = text(start..<index)
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
                throw TemplateError(mark: mark, message: "bad delimiter change '\(String(decoding: open, as: UTF8.self))=\(body)=\(String(decoding: close, as: UTF8.self))'",
                                    hint: "write two delimiters separated by a space, without '=', e.g. {{=<% %>=}}")
            }
            open = Array(parts[0].utf8)
            close = Array(parts[1].utf8)
            return Tag(kind: kind, content: content, mark: mark)
        default:
            guard !content.isEmpty else {
                throw TemplateError(mark: mark, message: "empty tag '\(String(decoding: open, as: UTF8.self))\(body)\(String(decoding: closing, as: UTF8.self))'",
                                    hint: "a tag needs a name, e.g. {{name}}")
            }
            guard !content.utf8.contains(where: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
                throw TemplateError(mark: mark, message: "tag name '\(content)' contains a space",
                                    hint: "names are one word, with dots for fields: {{ticket.title}}")
            }
            return Tag(kind: kind, content: content, mark: mark)
        }
    }

    private func newlineWidth(at position: Int) -> Int? {
        if bytes[position] == Self.newline { return 1 }
        if bytes[position] == Self.carriageReturn, position + 1 < bytes.count, bytes[position + 1] == Self.newline { return 2 }
        return nil
    }

    private func matches(_ delimiter: [UInt8]) -> Bool {
        guard index + delimiter.count <= bytes.count, bytes[index] == delimiter[0] else { return false }
        for offset in 1..<delimiter.count where bytes[index + offset] != delimiter[offset] { return false }
        return true
    }

    /// Moves over `count` bytes, keeping the line and column (tags may span lines).
    private mutating func skip(_ count: Int) {
        for _ in 0..<count {
            let byte = bytes[index]
            if byte == Self.newline {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80, !(byte == Self.carriageReturn && newlineWidth(at: index) != nil) {
                column += 1
            }
            index += 1
        }
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks.
    var trimmed: String {
        let utf8 = self.utf8
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        guard let first = utf8.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = utf8.lastIndex(where: { !isSpace($0) })!
        if first == utf8.startIndex, last == utf8.index(before: utf8.endIndex) { return self }
        return String(self[first...last])
    }

    var isBlank: Bool { utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
}
