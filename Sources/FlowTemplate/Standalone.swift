/// Mustache's standalone rule: a line holding only tags that print nothing (sections, comments,
/// partials, blocks, delimiter changes) and whitespace is removed whole, so templates can be laid
/// out on their own lines without leaving blank lines in the output.
enum Standalone {
    static func process(_ pieces: [Piece]) -> [Piece] {
        var result: [Piece] = []
        var line: [Piece] = []
        for piece in pieces {
            line.append(piece)
            if case .newline = piece {
                result += processLine(line)
                line = []
            }
        }
        result += processLine(line)
        return result
    }

    private static func processLine(_ line: [Piece]) -> [Piece] {
        var tags: [Tag] = []
        var blankText = true
        for piece in line {
            switch piece {
            case .tag(let tag): tags.append(tag)
            case .text(let text): blankText = blankText && text.isBlank
            case .newline: break
            }
        }
        if !tags.isEmpty, blankText, tags.allSatisfy(\.canStandAlone), !opensAndCloses(tags) {
            var indent = ""
            if case .text(let text) = line.first { indent = text }
            return tags.map { tag in
                var tag = tag
                tag.standalone = true
                tag.indent = indent
                return .tag(tag)
            }
        }
        // Not standalone: note the whitespace before the first tag, for inline block indentation.
        var out = line
        if line.count >= 2, case .text(let text) = line[0], text.isBlank, case .tag(var tag) = line[1] {
            tag.linePrefix = text
            out[1] = .tag(tag)
        } else if case .tag(var tag) = line.first {
            tag.linePrefix = ""
            out[0] = .tag(tag)
        }
        return out
    }

    /// A section or block that opens and closes on one line prints its content inline, so the
    /// line is not standalone. A parent's pair is: it prints a whole template, like a partial.
    private static func opensAndCloses(_ tags: [Tag]) -> Bool {
        for (index, tag) in tags.enumerated() where [.section, .inverted, .block].contains(tag.kind) {
            if tags[(index + 1)...].contains(where: { $0.kind == .close && $0.content == tag.content }) { return true }
        }
        return false
    }
}
