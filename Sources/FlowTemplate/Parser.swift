import FlowSource

/// Builds the token tree from standalone-processed pieces, checking that sections close in order.
struct Parser {
    private let pieces: [Piece]
    private var index = 0

    init(_ pieces: [Piece]) { self.pieces = pieces }

    mutating func parse() throws(TemplateError) -> [Token] {
        try content(until: nil)
    }

    /// Tokens up to the close tag of `opener` (or the end, for the top level).
    private mutating func content(until opener: Tag?) throws(TemplateError) -> [Token] {
        var tokens: [Token] = []
        var text = ""
        func flush() {
            if !text.isEmpty { tokens.append(.text(text)); text = "" }
        }
        while index < pieces.count {
            let piece = pieces[index]
            index += 1
            switch piece {
            case .text(let more), .newline(let more):
                text += more
            case .tag(let tag):
                flush()
                switch tag.kind {
                case .comment, .delimiters:
                    continue
                case .variable(let escaped):
                    tokens.append(.variable(Name(tag.content), escaped: escaped, tag.mark))
                case .section, .inverted:
                    let body = try content(until: tag)
                    tokens.append(.section(Name(tag.content), body, inverted: tag.kind == .inverted, tag.mark))
                case .partial:
                    let (name, dynamic) = Self.partialName(tag.content)
                    tokens.append(.partial(Name(name), dynamic: dynamic, indent: tag.standalone ? tag.indent : nil, tag.mark))
                case .parent:
                    let (name, dynamic) = Self.partialName(tag.content)
                    let body = try content(until: tag)
                    var overrides: [String: Block] = [:]
                    // Text inside a parent tag is ignored; only its blocks matter.
                    for case .block(let block) in body where overrides[block.name] == nil { overrides[block.name] = block }
                    tokens.append(.parent(Name(name), dynamic: dynamic, indent: tag.standalone ? tag.indent : nil,
                                          overrides: overrides, tag.mark))
                case .block:
                    let body = try content(until: tag)
                    tokens.append(.block(Self.block(tag, body)))
                case .close:
                    guard let opener else {
                        throw TemplateError(mark: tag.mark, message: "close tag '{{/\(tag.content)}}' has no open section",
                                            hint: "remove it, or open the section with {{#\(tag.content)}}")
                    }
                    guard tag.content == opener.content else {
                        throw TemplateError(mark: tag.mark, message: "close tag '{{/\(tag.content)}}' does not match '{{\(Self.sigil(opener))\(opener.content)}}' opened at \(opener.mark)",
                                            hint: "close sections in the reverse order they open: {{/\(opener.content)}} comes first")
                    }
                    flush()
                    return tokens
                }
            }
        }
        if let opener {
            throw TemplateError(mark: opener.mark, message: "'{{\(Self.sigil(opener))\(opener.content)}}' is never closed",
                                hint: "add {{/\(opener.content)}} where it ends")
        }
        flush()
        return tokens
    }

    /// `*name` (also `* name`) asks for the partial named by the value of `name`.
    private static func partialName(_ content: String) -> (String, Bool) {
        guard content.hasPrefix("*") else { return (content, false) }
        return (String(content.dropFirst()).trimmed, true)
    }

    private static func sigil(_ tag: Tag) -> String {
        switch tag.kind {
        case .inverted: return "^"
        case .parent: return "<"
        case .block: return "$"
        default: return "#"
        }
    }

    /// A block's content has the indentation of its first line removed; where it is expanded,
    /// the indentation of that place is added back (the spec's block reindentation).
    private static func block(_ tag: Tag, _ body: [Token]) -> Block {
        var contentIndent = ""
        if tag.standalone {
            switch body.first {
            case .text(let text): contentIndent = String(text.prefix { $0 == " " || $0 == "\t" })
            case .partial(_, _, let indent?, _), .parent(_, _, let indent?, _, _): contentIndent = indent
            case .block(let nested) where nested.standalone: contentIndent = nested.siteIndent
            default: break
            }
        }
        let content = contentIndent.isEmpty ? body : Dedent.tokens(body, by: contentIndent)
        if tag.standalone {
            return Block(name: tag.content, content: content, siteIndent: body.isEmpty ? tag.indent : contentIndent,
                         standalone: true, mark: tag.mark)
        }
        return Block(name: tag.content, content: content, siteIndent: tag.linePrefix ?? "", standalone: false, mark: tag.mark)
    }
}

/// Removes an indentation prefix from every line of a token list.
enum Dedent {
    static func tokens(_ tokens: [Token], by prefix: String) -> [Token] {
        var atLineStart = true
        return tokens.map { dedent($0, prefix, &atLineStart) }
    }

    private static func dedent(_ token: Token, _ prefix: String, _ atLineStart: inout Bool) -> Token {
        switch token {
        case .text(let text):
            var out = ""
            var remaining = Substring(text)
            while !remaining.isEmpty {
                if atLineStart, remaining.hasPrefix(prefix) { remaining = remaining.dropFirst(prefix.count) }
                atLineStart = false
                if let newline = remaining.firstIndex(where: { $0 == "\n" || $0 == "\r\n" }) {
                    out += remaining[...newline]
                    remaining = remaining[remaining.index(after: newline)...]
                    atLineStart = true
                } else {
                    out += remaining
                    remaining = ""
                }
            }
            return .text(out)
        case .section(let name, let body, let inverted, let mark):
            return .section(name, body.map { dedent($0, prefix, &atLineStart) }, inverted: inverted, mark)
        case .partial(let name, let dynamic, let indent, let mark):
            atLineStart = indent != nil
            return .partial(name, dynamic: dynamic, indent: indent.map { $0.removingPrefix(prefix) }, mark)
        case .parent(let name, let dynamic, let indent, let overrides, let mark):
            atLineStart = indent != nil
            return .parent(name, dynamic: dynamic, indent: indent.map { $0.removingPrefix(prefix) }, overrides: overrides, mark)
        case .block(var block):
            // A nested block is already relative to itself; only where it sits moves.
            if block.standalone { block.siteIndent = block.siteIndent.removingPrefix(prefix) }
            atLineStart = block.standalone
            return .block(block)
        case .variable:
            atLineStart = false
            return token
        }
    }
}

extension String {
    func removingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
