import Foundation

/// The process's environment, read once from `environ`. Foundation's
/// `ProcessEnvironment.current` builds the same dictionary through its own string
/// bridging, which was about a tenth of an installed flow's start-up (docs/performance.md).
enum ProcessEnvironment {
    static let current: [String: String] = {
        var values: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.utf8.firstIndex(of: UInt8(ascii: "=")) {
                let name = String(text[..<equals])
                // As getenv does, the first of a repeated name wins.
                if values[name] == nil { values[name] = String(text[text.utf8.index(after: equals)...]) }
            }
            entry += 1
        }
        return values
    }()
}
