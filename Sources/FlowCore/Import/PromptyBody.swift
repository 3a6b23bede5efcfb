import Foundation

/// A Prompty body split into messages as Prompty's own parser splits it: a line that is only a
/// role name and a colon starts a message (`user:`, `# system:` as promptflow writes it, any case,
/// with optional `[name="…"]` attributes); text before the first such line is the system prompt;
/// each message's content loses its leading and trailing blank lines.
enum PromptyBody {
    struct Message {
        var role: String
        var text: String
        /// The marker's line (the first text line when there is no marker).
        var line: Int
        /// The line of the content's first line, where translated templates count from.
        var textLine: Int
    }

    static let roles = ["assistant", "developer", "function", "system", "tool", "user"]

    /// The role a marker line starts, or nil for any other line.
    static func roleMarker(_ line: Substring) -> String? {
        var text = line.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("#") { text = String(text.dropFirst()).trimmingCharacters(in: .whitespaces) }
        guard text.hasSuffix(":") else { return nil }
        text = String(text.dropLast()).trimmingCharacters(in: .whitespaces)
        if let bracket = text.firstIndex(of: "["), text.hasSuffix("]") {
            let attributes = text[text.index(after: bracket)..<text.index(before: text.endIndex)]
            guard attributes.contains("=") else { return nil }
            text = String(text[..<bracket])
        }
        let role = text.lowercased()
        return roles.contains(role) ? role : nil
    }

    /// The messages of `lines`, which start at file line `firstLine`.
    static func messages(_ lines: [String], firstLine: Int) -> [Message] {
        var messages: [Message] = []
        var buffer: [String] = []
        var role = "system"
        var line = firstLine
        var textLine = firstLine
        var sawMarker = false
        func flush() {
            guard !buffer.isEmpty else { return }
            var content = buffer
            var leading = 0
            while let first = content.first, first.isEmpty { content.removeFirst(); leading += 1 }
            while let last = content.last, last.isEmpty { content.removeLast() }
            let start = textLine + leading
            messages.append(Message(role: role, text: content.joined(separator: "\n"), line: line == textLine ? start : line, textLine: start))
            buffer = []
            // Blank lines between the front matter and the first marker are no message.
            if !sawMarker, messages.count == 1, messages[0].text.allSatisfy(\.isWhitespace) { messages = [] }
        }
        for (offset, text) in lines.enumerated() {
            if let marker = roleMarker(Substring(text)) {
                flush()
                sawMarker = true
                role = marker
                line = firstLine + offset
                textLine = line + 1
            } else {
                buffer.append(text)
            }
        }
        flush()
        return messages
    }
}
