/// A file's path and text, kept so that diagnostics can quote the offending line.
public struct SourceFile: Sendable {
    /// The path as the user named it; diagnostics print it unchanged.
    public let path: String
    public let text: String
    private let lines: [Substring]

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        // omittingEmptySubsequences keeps line numbers aligned with blank lines.
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The text of 1-based line `number` without its line break, or nil past the end.
    public func line(_ number: Int) -> String? {
        guard number >= 1, number <= lines.count else { return nil }
        var line = lines[number - 1]
        if line.last == "\r" { line = line.dropLast() }
        return String(line)
    }
}
