/// A position in a source file: 1-based line and column (columns count characters, not bytes).
public struct Mark: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    /// 1-based column, counted in Unicode scalars as the lexers count them.
    public var column: Int

    /// A place in a file; both numbers start at 1.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// Earlier in the file: by line, then by column.
    public static func < (lhs: Mark, rhs: Mark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    /// `line:column`, as diagnostics print it.
    public var description: String { "\(line):\(column)" }
}
