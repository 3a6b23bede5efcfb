import Foundation

/// JSON Schema's `pattern` and `patternProperties` are ECMA-262 regular expressions, unanchored.
/// Foundation's engine is ICU; this translates the places where the two disagree, so a pattern
/// means what the schema's author meant:
/// - `\d`, `\D` are ASCII digits only (ICU: every Unicode decimal digit, so `^\d$` took "߀");
/// - `\w`, `\W` are ASCII word characters only;
/// - `$` outside a class is the end of the input (ICU: also before a final newline, so `^abc$`
///   took "abc\n");
/// - `[^]` is any character, newlines included.
/// Remaining differences (documented in docs/workflow-format.md): ICU's `\s` class is a superset
/// of ECMA's by a few separators; Unicode property escapes follow ICU's tables; lookbehind and
/// named groups behave as ICU's.
enum ECMARegex {
    /// The pattern compiled with ECMA-262 meanings (through `Regex`'s cache), or nil when it is not valid.
    static func compiled(_ pattern: String) -> NSRegularExpression? {
        Regex.compiled(pattern, dialect: .ecma)
    }

    /// Whether the pattern matches anywhere in `text` (false for an invalid pattern).
    static func found(_ pattern: String, in text: String) -> Bool {
        Regex.found(pattern, in: text, dialect: .ecma)
    }

    /// The ICU spelling of an ECMA-262 pattern.
    static func translate(_ pattern: String) -> String {
        var out = ""
        var inClass = false
        var characters = Array(pattern)
        var index = 0
        if pattern.contains("[^]") { characters = Array(pattern.replacingOccurrences(of: "[^]", with: "[\\s\\S]")) }
        while index < characters.count {
            let character = characters[index]
            if character == "\\", index + 1 < characters.count {
                let next = characters[index + 1]
                switch next {
                case "d": out += inClass ? "0-9" : "[0-9]"
                case "D": out += inClass ? "\\D" : "[^0-9]"
                case "w": out += inClass ? "A-Za-z0-9_" : "[A-Za-z0-9_]"
                case "W": out += inClass ? "\\W" : "[^A-Za-z0-9_]"
                default: out += String([character, next])
                }
                index += 2
                continue
            }
            if character == "[", !inClass { inClass = true } else if character == "]", inClass { inClass = false }
            out += !inClass && character == "$" ? "(?!(?s:.))" : String(character)
            index += 1
        }
        return out
    }
}
