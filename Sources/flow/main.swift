import CFlowPlatform
import Foundation
import FlowCore
import FlowSource

/// What a command line comes to: an exit status now, or an async command to run.
enum Dispatch {
    case done(Int32)
    case later(@Sendable (ParsedArguments) async -> Int32, ParsedArguments, concurrent: Bool)
}

/// Finds `flow <subcommand>` in the command table and runs it when it is synchronous.
func dispatch(_ words: [String]) -> Dispatch {
    guard let first = words.first else {
        Terminal.err(Commands.overview)
        return .done(ExitStatus.usage)
    }
    switch first {
    case "-h", "--help":
        Terminal.out(Commands.overview)
        return .done(ExitStatus.ok)
    case "--version":
        Terminal.out(Commands.versionLine + "\n")
        return .done(ExitStatus.ok)
    default:
        break
    }
    guard let command = Commands.all.first(where: { $0.name == first }) else {
        let hint = Suggestion.closest(to: first, in: Commands.all.map(\.name)).map { "Did you mean '\($0)'?" }
        Terminal.report(UsageError(message: first.hasPrefix("-") ? "Unknown option '\(first)'" : "Unknown subcommand '\(first)'", hint: hint))
        return .done(ExitStatus.usage)
    }
    let arguments: ParsedArguments
    do {
        arguments = try command.parse(Array(words.dropFirst()))
    } catch {
        Terminal.report(error)
        return .done(ExitStatus.usage)
    }
    if arguments.wantsHelp {
        Terminal.out(command.help)
        return .done(ExitStatus.ok)
    }
    switch command.main {
    case .sync(let main): return .done(main(arguments))
    case .async(let main): return .later(main, arguments, concurrent: false)
    case .concurrent(let main): return .later(main, arguments, concurrent: true)
    }
}

/// Ends the process with `status`, keeping the --json promise first.
func finish(_ status: Int32, words: [String]) -> Never {
    // Options end at "--"; a --json before it asks for one JSON object whatever happened.
    if words.prefix(while: { $0 != "--" }).contains("--json") { JSONPromise.keep(status: status) }
    exit(status)
}

// Keys and passwords in the environment are known before anything can print them.
ProcessEnvironment.forEachVariable { name, value in Secrets.register(variable: name, value: value) }
let words = Array(CommandLine.arguments.dropFirst())
switch dispatch(words) {
case .done(let status):
    finish(status, words: words)
case .later(let main, let arguments, let concurrent):
    // Before any thread starts, so every thread inherits the blocked signals.
    Interruption.watch()
    if concurrent {
        Task.detached {
            finish(await main(arguments), words: words)
        }
        // The command ends the process; nothing needs the main thread until then.
        while true { sleep(.max) }
    } else {
        MainThreadExecutor().run {
            finish(await main(arguments), words: words)
        }
    }
}
