import Foundation

/// Whether a pattern compiles, where the decoder needs to know without keeping the regex.
enum NSRegularExpressionChecker {
    static func check(_ pattern: String) throws -> Bool {
        _ = try NSRegularExpression(pattern: pattern)
        return true
    }
}
