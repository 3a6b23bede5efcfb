import Foundation
import FlowCore
import FlowSource

/// Dispatches `flow <subcommand>` to its handler in the command table and exits with its status.
func dispatch(_ words: [String]) async -> Int32 {
    guard let first = words.first else {
        Terminal.err(Commands.overview)
        return ExitCode.usage
    }
    switch first {
    case "-h", "--help":
        Terminal.out(Commands.overview)
        return ExitCode.ok
    case "--version":
        Terminal.out(Interpreter.version + "\n")
        return ExitCode.ok
    default:
        break
    }
    guard let command = Commands.all.first(where: { $0.name == first }) else {
        let hint = Suggestion.closest(to: first, in: Commands.all.map(\.name)).map { "Did you mean '\($0)'?" }
        Terminal.report(UsageError(message: first.hasPrefix("-") ? "Unknown option '\(first)'" : "Unknown subcommand '\(first)'", hint: hint))
        return ExitCode.usage
    }
    let arguments: ParsedArguments
    do {
        arguments = try command.parse(Array(words.dropFirst()))
    } catch {
        Terminal.report(error)
        return ExitCode.usage
    }
    if arguments.wantsHelp {
        Terminal.out(command.help)
        return ExitCode.ok
    }
    return await command.main(arguments)
}

// Keys and passwords in the environment are known before anything can print them.
Secrets.register(environment: ProcessInfo.processInfo.environment)
let words = Array(CommandLine.arguments.dropFirst())
let status = await dispatch(words)
// Options end at "--"; a --json before it asks for one JSON object whatever happened.
if words.prefix(while: { $0 != "--" }).contains("--json") { JSONPromise.keep(status: status) }
exit(status)
