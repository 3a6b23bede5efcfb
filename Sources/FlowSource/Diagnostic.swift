/// A user-facing error with a place: printed like a compiler, with the source line and a caret.
///
/// ```
/// workflows/x.yaml:3:5: error: unknown key 'temprature' in params
///     temprature: 0.2
///     ^
/// hint: did you mean 'temperature'?
/// ```
public struct Diagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file the problem is in, as the user named it.
    public var path: String
    /// The 1-based line and column, or nil when the problem is the whole file.
    public var mark: Mark?
    /// What is wrong, in one sentence without a trailing period.
    public var message: String
    /// How to fix it, printed on its own `hint:` line.
    public var hint: String?
    /// The source line quoted under the message, when the text is known.
    public var sourceLine: String?
    /// A warning points at something likely wrong that does not stop the file from loading.
    public var isWarning = false

    /// A diagnostic with every part given; `sourceLine` is quoted under the headline with a caret.
    public init(path: String, mark: Mark?, message: String, hint: String? = nil, sourceLine: String? = nil) {
        self.path = path
        self.mark = mark
        self.message = message
        self.hint = hint
        self.sourceLine = sourceLine
    }

    /// A diagnostic that quotes its line from `source`.
    public init(_ source: SourceFile, _ mark: Mark?, _ message: String, hint: String? = nil) {
        self.init(path: source.path, mark: mark, message: message, hint: hint,
                  sourceLine: mark.flatMap { source.line($0.line) })
    }

    /// The one-line form `file:line:col: error: message`. Control characters from the file
    /// are escaped (`Printable`): a diagnostic never writes raw ESC or NUL to a terminal.
    public var headline: String {
        let level = isWarning ? "warning" : "error"
        if let mark { return Printable.escaped("\(path):\(mark.line):\(mark.column): \(level): \(message)") }
        return Printable.escaped("\(path): \(level): \(message)")
    }

    /// The full form: headline, source line, caret, hint.
    public var description: String {
        var out = headline
        if let mark, let sourceLine {
            out += "\n" + Printable.escaped(sourceLine) + "\n" + caret(under: sourceLine, column: mark.column)
        }
        if let hint { out += "\nhint: " + Printable.escaped(hint) }
        return out
    }

    // Columns count Unicode scalars, as the YAML and template lexers do, so the caret is
    // placed by scalars too (a flag or a family emoji is several). Tabs before the column are
    // kept so the caret lines up in a terminal; an escaped control character takes the width of
    // its escape.
    private func caret(under line: String, column: Int) -> String {
        var pad = ""
        let scalars = Array(line.unicodeScalars)
        for scalar in scalars.prefix(max(0, column - 1)) {
            pad += scalar == "\t" ? "\t" : String(repeating: " ", count: Printable.escaped(String(scalar)).count)
        }
        if column - 1 > scalars.count { pad += String(repeating: " ", count: column - 1 - scalars.count) }
        return pad + "^"
    }
}

/// Several diagnostics at once, so a user fixes a file in one pass rather than one error per run.
public struct DiagnosticList: Error, Sendable, CustomStringConvertible {
    /// The diagnostics in the order they are printed (by place).
    public var diagnostics: [Diagnostic]

    /// Wraps `diagnostics` as one error.
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    /// Every diagnostic in its full form, one after another.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
