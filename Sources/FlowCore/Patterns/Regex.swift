import Foundation

/// Compiled regular expressions by pattern: conditions and expectations are evaluated on every
/// answer of every case, and a pattern is compiled once. Also answers whether a pattern compiles.
enum Regex {
    /// Which meanings a pattern has: ICU's (conditions, `matches`), or ECMA-262's (JSON Schema's
    /// `pattern`, translated by `ECMARegex`).
    enum Dialect: Hashable { case icu, ecma }

    private struct Key: Hashable {
        var pattern: String
        var dialect: Dialect
    }

    /// NSRegularExpression is immutable once made and safe to share across threads (its
    /// matching state lives in each call), so cached values may be handed out.
    private static let cache = Locked<[Key: NSRegularExpression]>([:])

    /// The compiled pattern, or nil when it is not valid. Cached by the pattern as written, so an
    /// ECMA-262 pattern is translated once.
    static func compiled(_ pattern: String, dialect: Dialect = .icu) -> NSRegularExpression? {
        cache.withLock { cache in
            let key = Key(pattern: pattern, dialect: dialect)
            if let regex = cache[key] { return regex }
            let source = dialect == .ecma ? ECMARegex.translate(pattern) : pattern
            guard let regex = try? NSRegularExpression(pattern: source) else { return nil }
            cache[key] = regex
            return regex
        }
    }

    /// Whether `pattern` is valid, as validation asks: plain patterns are answered without
    /// compiling (see `PlainPattern`), the rest by compiling them.
    static func isValid(_ pattern: String, dialect: Dialect = .icu) -> Bool {
        PlainPattern.certainlyValid(pattern) || compiled(pattern, dialect: dialect) != nil
    }

    /// Whether `pattern` occurs anywhere in `text`; false for an invalid pattern.
    static func found(_ pattern: String, in text: String, dialect: Dialect = .icu) -> Bool {
        compiled(pattern, dialect: dialect)?.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
