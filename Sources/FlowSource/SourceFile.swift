/// A file's path and text, kept so that diagnostics can quote the offending line.
public struct SourceFile: Sendable {
    /// The path as the user named it; diagnostics print it unchanged.
    public let path: String
    /// The whole text, decoded from UTF-8.
    public let text: String

    /// A file's name and text; nothing is read from disk here.
    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }

    /// The text of 1-based line `number` without its line break, or nil past the end.
    /// Found by scanning: only diagnostics ask, so large files pay nothing up front.
    public func line(_ number: Int) -> String? {
        guard number >= 1 else { return nil }
        let utf8 = text.utf8
        var start = utf8.startIndex
        var current = 1
        while current < number {
            guard let newline = utf8[start...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            start = utf8.index(after: newline)
            current += 1
        }
        let end = utf8[start...].firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
        var line = Substring(text[start..<end])
        if line.last == "\r" { line = line.dropLast() }
        // A line past the last newline of a file that ends with one is empty, not missing.
        return String(line)
    }
}
