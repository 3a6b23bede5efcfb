import Foundation

/// The process's environment, read once from `environ`. Foundation's
/// `ProcessEnvironment.current` builds the same dictionary through its own string
/// bridging, which was about a tenth of an installed flow's start-up (docs/performance.md).
enum ProcessEnvironment {
    static let current: [String: String] = {
        var values: [String: String] = [:]
        // As getenv does, the first of a repeated name wins.
        forEachVariable { name, value in if values[name] == nil { values[name] = value } }
        return values
    }()

    /// Calls `body` with each `NAME=value` entry of `environ`, in order; what every command
    /// needs at start (the secrets to redact) without the dictionary only some commands read.
    static func forEachVariable(_ body: (String, String) -> Void) {
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.utf8.firstIndex(of: UInt8(ascii: "=")) {
                body(String(text[..<equals]), String(text[text.utf8.index(after: equals)...]))
            }
            entry += 1
        }
    }
}
