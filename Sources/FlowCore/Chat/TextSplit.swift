/// `split:` on a map: a long text cut into chunks that each fit a token budget, so a map can
/// summarize each chunk and a later step reduce them. Pure.
///
/// Pieces (paragraphs: runs of text between blank lines; or lines) are packed in order into
/// chunks of at most `maxTokens` estimated tokens; a piece that alone is over the budget is cut
/// at sentence ends, then at spaces, then anywhere, so no chunk is ever over it. The estimate
/// is flow's usual one, a token per 4 bytes of UTF-8 (docs/interpreter.md): on the high side
/// for English, so a chunk is rarely over the budget a real tokenizer would count.
public struct TextSplit: Sendable, Equatable {
    /// Where the text is cut first.
    public enum Unit: String, Sendable, CaseIterable {
        case paragraphs, lines
    }

    public var unit: Unit
    public var maxTokens: Int

    public init(unit: Unit, maxTokens: Int) {
        self.unit = unit
        self.maxTokens = maxTokens
    }

    /// The estimated tokens of `text`.
    static func tokens(_ text: some StringProtocol) -> Int { (text.utf8.count + 3) / 4 }

    /// `text` in chunks, in order; pieces joined within a chunk as they were separated.
    public func chunks(_ text: String) -> [String] {
        let separator = unit == .paragraphs ? "\n\n" : "\n"
        var chunks: [String] = []
        var current = ""
        func flush() {
            if !current.isEmpty { chunks.append(current) }
            current = ""
        }
        for piece in pieces(text) {
            for part in fitted(piece) {
                let joined = current.isEmpty ? part : current + separator + part
                if Self.tokens(joined) <= maxTokens {
                    current = joined
                } else {
                    flush()
                    current = part
                }
            }
        }
        flush()
        return chunks
    }

    /// The paragraphs or lines of `text`, trimmed, empty ones left out.
    private func pieces(_ text: String) -> [String] {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        var pieces: [String] = []
        var paragraph: [Substring] = []
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            let blank = line.allSatisfy { $0 == " " || $0 == "\t" }
            switch unit {
            case .lines:
                if !blank { pieces.append(line.trimmingCharacters(in: .whitespaces)) }
            case .paragraphs:
                if blank {
                    if !paragraph.isEmpty { pieces.append(paragraph.joined(separator: "\n")) }
                    paragraph = []
                } else {
                    paragraph.append(line)
                }
            }
        }
        if !paragraph.isEmpty { pieces.append(paragraph.joined(separator: "\n")) }
        return pieces
    }

    /// `piece` as parts that each fit the budget: itself, or cut at sentence ends, spaces, or anywhere.
    private func fitted(_ piece: String) -> [String] {
        guard Self.tokens(piece) > maxTokens else { return [piece] }
        for boundary in [". ", " "] {
            let words = piece.components(separatedBy: boundary)
            guard words.count > 1 else { continue }
            var parts: [String] = []
            var current = ""
            for (index, word) in words.enumerated() {
                let unit = index < words.count - 1 ? word + boundary.trimmingCharacters(in: .whitespaces) : word
                let joined = current.isEmpty ? unit : current + " " + unit
                if Self.tokens(joined) <= maxTokens {
                    current = joined
                } else {
                    if !current.isEmpty { parts.append(current) }
                    current = unit
                }
            }
            if !current.isEmpty { parts.append(current) }
            // A part still over the budget (one long sentence) is cut at the next boundary down.
            return parts.flatMap { Self.tokens($0) > maxTokens ? fitted($0) : [$0] }
        }
        // No boundary at all: cut by bytes' worth of characters.
        var parts: [String] = []
        var current = ""
        for character in piece {
            if Self.tokens(current + String(character)) > maxTokens {
                parts.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }
}
