/// What the text around a cursor says, read from the lines themselves: a buffer being typed is
/// rarely valid YAML, so completion and hover cannot wait for a parse. Positions are 0-based
/// lines and UTF-16 columns, as the Language Server Protocol counts them. Pure.
struct EditorText {
    let lines: [String]

    init(_ text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.hasSuffix("\r") ? $0.dropLast() : $0) }
    }

    /// The line's text up to `column` (UTF-16 units), or the whole line.
    func prefix(line: Int, column: Int) -> String {
        guard lines.indices.contains(line) else { return "" }
        let utf16 = Array(lines[line].utf16)
        return String(decoding: utf16.prefix(max(0, column)), as: UTF16.self)
    }

    /// Where the content of a line starts: its spaces, and `- ` list markers after them.
    static func contentIndent(_ line: String) -> (indent: Int, isItem: Bool) {
        var indent = 0, isItem = false
        let characters = Array(line)
        while indent < characters.count, characters[indent] == " " { indent += 1 }
        while indent + 1 < characters.count, characters[indent] == "-", characters[indent + 1] == " " {
            isItem = true
            indent += 2
            while indent < characters.count, characters[indent] == " " { indent += 1 }
        }
        return (indent, isItem)
    }

    /// The key a line starts with (`model` of `  model: openai/x`), if it starts with one.
    static func key(of line: String) -> String? {
        let content = line.dropFirst(contentIndent(line).indent)
        guard let colon = content.firstIndex(of: ":") else { return nil }
        let key = content[..<colon]
        guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else { return nil }
        return String(key)
    }

    /// The keys of the mappings enclosing `line`, outermost first; `-` marks a list item.
    /// `steps`, `-`, `map` is inside a step's `map:`.
    func keyPath(line: Int, column: Int? = nil) -> [String] {
        guard lines.indices.contains(line) else { return [] }
        var (indent, isItem) = Self.contentIndent(lines[line])
        // A blank line (or one being typed) takes the cursor's column as its indentation.
        if lines[line].trimmingCharacters(in: .whitespaces).isEmpty, let column { indent = column; isItem = false }
        var path: [String] = isItem ? ["-"] : []
        // An item's line belongs to the list, which sits at the item's dash.
        var current = isItem ? lines[line].prefix { $0 == " " }.count : indent
        var index = line - 1
        while index >= 0, current > 0 {
            let text = lines[index]
            defer { index -= 1 }
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty, !text.trimmingCharacters(in: .whitespaces).hasPrefix("#") else { continue }
            let (lineIndent, lineIsItem) = Self.contentIndent(text)
            let spaces = text.prefix { $0 == " " }.count
            if lineIndent < current, let key = Self.key(of: text) {
                path.insert(key, at: 0)
                current = lineIndent
                if lineIsItem { path.insert("-", at: 0); current = spaces }
            } else if lineIsItem, spaces < current, lineIndent >= current {
                // The item this line belongs to (`- id: a` above `  user: …`).
                path.insert("-", at: 0)
                current = spaces
            }
        }
        return path
    }

    /// The word at a position (letters, digits, `_`, `-`, `.`, `/`) with its column range.
    func word(line: Int, column: Int) -> (text: String, start: Int, end: Int)? {
        guard lines.indices.contains(line) else { return nil }
        let utf16 = Array(lines[line].utf16)
        func isWord(_ unit: UInt16) -> Bool {
            guard let scalar = Unicode.Scalar(unit) else { return false }
            return scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_-./".unicodeScalars.contains(scalar)
        }
        var start = min(column, utf16.count), end = start
        while start > 0, isWord(utf16[start - 1]) { start -= 1 }
        while end < utf16.count, isWord(utf16[end]) { end += 1 }
        guard start < end else { return nil }
        return (String(decoding: utf16[start..<end], as: UTF16.self), start, end)
    }

    /// True when the cursor is inside a `{{ … }}` tag: after an opening `{{` with no `}}` since.
    static func inTag(_ prefix: String) -> Bool {
        guard let open = prefix.range(of: "{{", options: .backwards) else { return false }
        return !prefix[open.upperBound...].contains("}}")
    }

    /// The line of the step with `id` (its `id:`), if written.
    func stepLine(_ id: String) -> Int? {
        lines.firstIndex { line in
            let content = line.dropFirst(Self.contentIndent(line).indent)
            return content.hasPrefix("id: \(id)") && (content.count == "id: \(id)".count || !(content.dropFirst("id: \(id)".count).first?.isLetter ?? false))
                || line.contains("{id: \(id),") || line.contains("{id: \(id)}")
        }
    }
}
