import Foundation
import FlowCore
import FlowSource

/// Standard output and error, written unbuffered so progress and records interleave correctly.
enum Terminal {
    /// What the process has printed so far, so `--json` can promise one object on stdout
    /// whatever way a command ends (see `JSONPromise`).
    struct Printed {
        var output = false
        var lastError: String?
        var usage: UsageError?
    }

    static let printed = Locked(Printed())

    /// Everything printed passes through `Redaction.text`: a key a provider echoed back in an
    /// error, or a server put in a body, is never shown.
    static func out(_ text: String) {
        printed.withLock { $0.output = true }
        _ = FileBytes.write(Redaction.text(text), to: STDOUT_FILENO)
    }

    static func err(_ text: String) {
        let safe = Redaction.text(text)
        let trimmed = safe.trimmingWhitespace
        if trimmed.containsASCII("error") { printed.withLock { $0.lastError = trimmed } }
        _ = FileBytes.write(safe, to: STDERR_FILENO)
    }

    static func report(_ error: UsageError) {
        printed.withLock { $0.usage = error }
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

/// `--json` prints one JSON object on stdout, also when a command stops before its report (a
/// usage error, an unreadable price file): then the object says why, with `error.kind` named
/// after the exit status.
enum JSONPromise {
    static func keep(status: Int32) {
        let printed = Terminal.printed.current
        guard !printed.output else { return }
        let kind = switch status {
        case ExitStatus.ok: "ok"
        case ExitStatus.usage: "usage"
        case ExitStatus.invalid: "invalid"
        case ExitStatus.noInput: "no_input"
        case ExitStatus.unavailable: "provider"
        case ExitStatus.software: "software"
        case ExitStatus.ioError: "io_error"
        default: "failed"
        }
        let message = printed.usage?.message ?? printed.lastError ?? "exited with status \(status)"
        Terminal.out(JSON.object(omittingNil: [
            ("status", .string(status == ExitStatus.ok ? "ok" : "error")),
            ("error", status == ExitStatus.ok ? nil : .object(omittingNil: [
                ("kind", .string(kind)), ("message", .string(message)), ("hint", printed.usage?.hint.map(JSON.string)),
            ])),
        ]).serialized + "\n")
    }
}
