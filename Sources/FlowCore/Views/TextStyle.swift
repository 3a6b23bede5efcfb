/// How views mark what matters in their text: a status, a warning, a heading. The views only
/// say which; the CLI decides how it looks on a terminal (colours live there, not here), and
/// anything else gets the text as it is.
public protocol TextStyle: Sendable {
    func bold(_ text: String) -> String
    func dim(_ text: String) -> String
    func red(_ text: String) -> String
    func green(_ text: String) -> String
    func yellow(_ text: String) -> String
}

/// No styling: files, pipes, tests.
public struct PlainStyle: TextStyle {
    /// No styling.
    public init() {}
    /// `text` as it is.
    public func bold(_ text: String) -> String { text }
    /// `text` as it is.
    public func dim(_ text: String) -> String { text }
    /// `text` as it is.
    public func red(_ text: String) -> String { text }
    /// `text` as it is.
    public func green(_ text: String) -> String { text }
    /// `text` as it is.
    public func yellow(_ text: String) -> String { text }
}
