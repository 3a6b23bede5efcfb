import Foundation

/// Compiled regular expressions by pattern: conditions and expectations are evaluated on every
/// answer of every case, and a pattern is compiled once. Also answers whether a pattern compiles.
enum Regex {
    /// NSRegularExpression is immutable once made and safe to share across threads (its
    /// matching state lives in each call), so cached values may be handed out.
    private static let cache = Locked<[String: NSRegularExpression]>([:])

    /// The compiled pattern, or nil when it is not a valid ICU regular expression.
    static func compiled(_ pattern: String) -> NSRegularExpression? {
        cache.withLock { cache in
            if let regex = cache[pattern] { return regex }
            guard let regex = try? NSRegularExpression(pattern: pattern) else { return nil }
            cache[pattern] = regex
            return regex
        }
    }

    /// Whether `pattern` occurs anywhere in `text`; false for an invalid pattern.
    static func found(_ pattern: String, in text: String) -> Bool {
        compiled(pattern)?.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
