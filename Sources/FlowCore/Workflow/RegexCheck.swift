import Foundation

/// Compiled regular expressions by pattern: conditions and expectations are evaluated on every
/// answer of every case, and a pattern is compiled once. Also answers whether a pattern compiles.
enum Regex {
    nonisolated(unsafe) private static var cache: [String: NSRegularExpression] = [:]
    private static let lock = NSLock()

    /// The compiled pattern, or nil when it is not a valid ICU regular expression.
    static func compiled(_ pattern: String) -> NSRegularExpression? {
        lock.lock()
        defer { lock.unlock() }
        if let regex = cache[pattern] { return regex }
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return nil }
        cache[pattern] = regex
        return regex
    }

    /// Whether `pattern` occurs anywhere in `text`; false for an invalid pattern.
    static func found(_ pattern: String, in text: String) -> Bool {
        compiled(pattern)?.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
