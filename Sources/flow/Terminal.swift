import Foundation

/// Standard output and error, written unbuffered so progress and records interleave correctly.
enum Terminal {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func report(_ error: UsageError) {
        var text = "Error: \(error.message)\n"
        if let hint = error.hint { text += "Hint: \(hint)\n" }
        if let command = error.command {
            text += "Usage: \(command.usage)\n  See 'flow \(command.name) --help' for more information.\n"
        } else {
            text += "  See 'flow --help' for more information.\n"
        }
        err(text)
    }
}

/// Exit statuses (sysexits), as documented in docs/cli.md.
enum ExitCode {
    static let ok: Int32 = 0
    static let failed: Int32 = 1
    static let usage: Int32 = 64
    static let invalid: Int32 = 65
    static let noInput: Int32 = 66
    static let unavailable: Int32 = 69
    static let software: Int32 = 70
}
