import FlowSource

/// libyaml's syntax errors in words a workflow author can act on, placed where the mistake
/// starts rather than where the parser gave up: the three a newcomer meets first are an
/// unquoted `: ` inside a value (`system: Answer: yes or no`), a quote never closed (libyaml
/// reports the end of the file), and a tab used to indent. Anything else keeps libyaml's words.
/// Pure, on the source text.
enum SyntaxAdvice {
    static func explain(_ failure: ParserFailure, in source: SourceFile) -> (message: String, mark: Mark, hint: String?) {
        let line = source.line(failure.mark.line) ?? ""
        if failure.problem.hasPrefix("mapping values are not allowed") {
            // The value began after the first ": " of the line; point there.
            let characters = Array(line)
            let indent = characters.prefix { $0 == " " || $0 == "-" }.count
            var start = failure.mark
            if let colon = firstColonSpace(in: characters, from: indent), colon + 2 < failure.mark.column {
                start = Mark(line: failure.mark.line, column: colon + 3)
            }
            let key = String(characters[indent..<max(indent, start.column - 3)]).trimmingWhitespace
            return ("this value holds ': ' (a colon and a space), which YAML reads as the start of another key; a value with a colon must be quoted",
                    start, "quote it: \(key.isEmpty ? "key" : key): \"\(String(characters[min(characters.count, start.column - 1)...]))\", or write it as a block: \(key.isEmpty ? "key" : key): | and the text on the lines below, indented")
        }
        if failure.context == "while scanning a quoted scalar", let opened = failure.contextMark {
            let quote = source.line(opened.line).flatMap { text in
                Array(text).indices.contains(opened.column - 1) ? String(Array(text)[opened.column - 1]) : nil
            } ?? "\""
            return ("this quoted value is never closed: the \(quote) opened here has no closing \(quote)", opened,
                    "end the value with \(quote) on the line it belongs to, or, for text over several lines, use a block scalar (key: |)")
        }
        if failure.problem.contains("cannot start any token") || failure.problem.contains("found a tab") || line.first == "\t",
           Array(line).prefix(failure.mark.column).contains("\t") {
            let column = (Array(line).firstIndex(of: "\t") ?? 0) + 1
            return ("a tab indents this line; YAML indents with spaces only", Mark(line: failure.mark.line, column: column),
                    "replace the tab with spaces (two per level, as the rest of the file does)")
        }
        return (failure.message, failure.mark, nil)
    }

    /// The index of the first ": " (or a ":" ending the line) from `start`: where the key ends.
    private static func firstColonSpace(in characters: [Character], from start: Int) -> Int? {
        var index = start
        while index < characters.count {
            if characters[index] == ":", index + 1 == characters.count || characters[index + 1] == " " { return index }
            index += 1
        }
        return nil
    }
}
