import FlowSource
import FlowCore

/// What a command accepts, declared as data so parsing, help and did-you-mean share one table.
struct CommandSpec {
    struct Option {
        var name: String
        /// The value's placeholder (`<key=value>`), or nil for a flag.
        var value: String?
        var repeatable = false
        var help: String
    }

    struct Argument {
        var name: String
        var help: String
        var repeatable = false
        var optional = false
    }

    var name: String
    var abstract: String
    var discussion: String?
    var arguments: [Argument] = []
    var options: [Option] = []
    /// What the command does with its parsed arguments; returns the exit status.
    var main: Entry = .sync { _ in ExitStatus.software }

    /// A command's entry point. Only commands that wait on the network or on child processes
    /// are async: the others run on the main thread without starting Swift's concurrency
    /// runtime, which is a measurable share of a 5 ms start (docs/performance.md).
    enum Entry: Sendable {
        case sync(@Sendable (ParsedArguments) -> Int32)
        /// One line of work that waits: its tasks run on the main thread (MainThreadExecutor).
        case async(@Sendable (ParsedArguments) async -> Int32)
        /// Many cases side by side, each with its own CPU work (replaying, checking, reporting):
        /// on Swift's cooperative pool, one thread per core.
        case concurrent(@Sendable (ParsedArguments) async -> Int32)
    }

    static let helpOption = Option(name: "--help", value: nil, help: "Show help information.")

    var allOptions: [Option] { options + [Self.helpOption] }

    var usage: String {
        var parts = ["flow", name]
        for argument in arguments {
            var text = "<\(argument.name)>"
            if argument.repeatable { text += " ..." }
            parts.append(argument.optional ? "[\(text)]" : text)
        }
        for option in options {
            var text = option.name
            if let value = option.value { text += " \(value)" }
            if option.repeatable { text += " ..." }
            parts.append("[\(text)]")
        }
        return parts.joined(separator: " ")
    }

    /// Help in swift-argument-parser's layout: OVERVIEW, USAGE, ARGUMENTS, OPTIONS.
    var help: String {
        var out = "OVERVIEW: \(abstract)\n"
        if let discussion { out += "\n\(discussion)\n" }
        out += "\nUSAGE: \(usage)\n"
        if !arguments.isEmpty {
            out += "\nARGUMENTS:\n"
            for argument in arguments { out += Self.row("<\(argument.name)>", argument.help) }
        }
        out += "\nOPTIONS:\n"
        for option in allOptions {
            let label = option.name == "--help" ? "-h, --help" : option.name + (option.value.map { " \($0)" } ?? "")
            out += Self.row(label, option.help)
        }
        return out
    }

    static func row(_ label: String, _ help: String) -> String {
        let padded = "  " + label
        if padded.count < 26 { return padded + String(repeating: " ", count: 26 - padded.count) + help + "\n" }
        return padded + "\n" + String(repeating: " ", count: 26) + help + "\n"
    }
}

/// Parsed command-line words.
struct ParsedArguments {
    var positionals: [String] = []
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var wantsHelp = false

    func value(_ name: String) -> String? { values[name]?.last }
}

/// A usage error: printed with the command's usage line, exit 64.
struct UsageError: Error {
    var message: String
    var hint: String?
    var command: CommandSpec?
}

extension CommandSpec {
    func parse(_ words: [String]) throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        var optionsEnded = false
        while index < words.count {
            let word = words[index]
            index += 1
            if optionsEnded || !word.hasPrefix("-") || word == "-" {
                parsed.positionals.append(word)
                continue
            }
            if word == "--" { optionsEnded = true; continue }
            if word == "-h" || word == "--help" { parsed.wantsHelp = true; continue }
            var name = word
            var inlineValue: String?
            if let equals = word.firstIndex(of: "="), word.hasPrefix("--") {
                name = String(word[..<equals])
                inlineValue = String(word[word.index(after: equals)...])
            }
            guard let option = options.first(where: { $0.name == name }) else {
                let hint = Suggestion.closest(to: name, in: allOptions.map(\.name)).map { "Did you mean '\($0)'?" }
                throw UsageError(message: "Unknown option '\(name)'", hint: hint, command: self)
            }
            guard option.value != nil else {
                if inlineValue != nil { throw UsageError(message: "The option '\(name)' takes no value", command: self) }
                parsed.flags.insert(name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else if index < words.count {
                value = words[index]
                index += 1
            } else {
                throw UsageError(message: "Missing value for '\(name) \(option.value!)'", command: self)
            }
            if !option.repeatable, parsed.values[name] != nil {
                throw UsageError(message: "The option '\(name)' was given more than once", command: self)
            }
            parsed.values[name, default: []].append(value)
        }
        if parsed.wantsHelp { return parsed }
        let required = arguments.filter { !$0.optional }
        if parsed.positionals.count < required.count {
            throw UsageError(message: "Missing expected argument '<\(required[parsed.positionals.count].name)>'", command: self)
        }
        if !(arguments.last?.repeatable ?? false), parsed.positionals.count > arguments.count {
            throw UsageError(message: "Unexpected argument '\(parsed.positionals[arguments.count])'", command: self)
        }
        return parsed
    }
}
