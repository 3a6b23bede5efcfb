import Foundation
import FlowCore

/// ANSI colours for a terminal: on when standard output is a terminal and NO_COLOR is unset, or
/// when FORCE_COLOR is set (a CI log that renders colour).
struct TerminalStyle: TextStyle {
    func bold(_ text: String) -> String { "\u{1B}[1m\(text)\u{1B}[0m" }
    func dim(_ text: String) -> String { "\u{1B}[2m\(text)\u{1B}[0m" }
    func red(_ text: String) -> String { "\u{1B}[31m\(text)\u{1B}[0m" }
    func green(_ text: String) -> String { "\u{1B}[32m\(text)\u{1B}[0m" }
    func yellow(_ text: String) -> String { "\u{1B}[33m\(text)\u{1B}[0m" }

    /// The style for standard output in this environment.
    static func forStandardOutput(_ environment: [String: String] = ProcessEnvironment.current) -> any TextStyle {
        if let force = environment["FORCE_COLOR"], !force.isEmpty, force != "0" { return TerminalStyle() }
        return isatty(1) == 1 && environment["NO_COLOR"] == nil ? TerminalStyle() : PlainStyle()
    }
}
