import Foundation
import FlowCore
import FlowTemplate
import FlowSource

/// `flow run FILE`: load, run, print the output (or one JSON object), exit with the status.
enum RunCommand {
    static func main(_ arguments: ParsedArguments) async -> Int32 {
        let path = arguments.positionals[0]
        let json = arguments.flags.contains("--json")
        guard let given = variables(arguments, command: Commands.run) else { return ExitCode.usage }

        var loaded: LoadedWorkflow
        do {
            loaded = try WorkflowLoader.load(path: path)
        } catch {
            Terminal.err(error.description + "\n")
            if json { Terminal.out(RunReport.invalid(error).serialized + "\n") }
            if case .unreadable = error { return ExitCode.noInput }
            return ExitCode.invalid
        }
        for warning in loaded.warnings { Terminal.err(warning.description + "\n") }
        let providerNames = ProviderRegistry.builtIn + loaded.config.providers.map(\.name)
        if let text = arguments.value("--model") {
            guard let model = ModelRef(parsing: text), providerNames.contains(model.provider) else {
                Terminal.report(UsageError(message: "--model takes provider/model with a known provider (\(providerNames.joined(separator: ", "))), got '\(text)'", command: Commands.run))
                return ExitCode.usage
            }
            loaded.workflow.model = model
            for index in loaded.workflow.steps.indices { loaded.workflow.steps[index].model = nil }
        }

        let inputs: [String: TemplateValue]
        do {
            inputs = try Inputs.resolve(given, for: loaded.workflow)
        } catch {
            Terminal.report(UsageError(message: error.message, command: Commands.run))
            return ExitCode.usage
        }

        let directory: String
        if let given = arguments.value("--transcript-dir") {
            directory = given
        } else {
            // The project the command runs in, as flow show and flow cost look for it.
            directory = RunsDirectory.path(from: FileManager.default.currentDirectoryPath)
            if let warning = RunsDirectory.ignoreInGit(runs: directory) { Terminal.err(warning + "\n") }
        }
        let transcriptPath = RunsDirectory.display(TranscriptWriter.newPath(in: directory, name: loaded.workflow.name))
        let writer: TranscriptWriter
        do {
            writer = try TranscriptWriter(path: transcriptPath)
            writer.onFailure = { message in Terminal.err("error: \(message)\n") }
        } catch {
            Terminal.err("error: cannot create the transcript '\(transcriptPath)': \(error.localizedDescription)\n")
            return ExitCode.software
        }
        var timeout = 600.0
        if let text = arguments.value("--timeout") {
            guard let seconds = Double(text), seconds.isFinite, seconds > 0, seconds <= 86_400 else {
                Terminal.report(UsageError(message: "--timeout takes a number of seconds above 0 and at most 86400 (a day), got '\(text)'",
                                           command: Commands.run))
                return ExitCode.usage
            }
            timeout = seconds
        }
        var retry: RetryPolicy
        switch retryPolicy(command: Commands.run) {
        case .success(let policy): retry = policy
        case .failure(let error):
            Terminal.report(error)
            return ExitCode.usage
        }
        if let text = arguments.value("--retries") {
            guard let count = Int(text), (0...20).contains(count) else {
                Terminal.report(UsageError(message: "--retries takes a whole number from 0 to 20, got '\(text)'", command: Commands.run))
                return ExitCode.usage
            }
            retry.maxRetries = count
        }
        let prices: PriceTable
        do {
            prices = try PriceTable.load(file: arguments.value("--prices") ?? ProcessInfo.processInfo.environment["FLOW_PRICES"])
        } catch {
            Terminal.err("error: \(error)\n")
            return ExitCode.noInput
        }
        var transport: any HTTPTransport = URLSessionTransport(timeout: timeout)
        if arguments.flags.contains("--verbose") {
            transport = LoggingTransport(transport) { line in Terminal.err(line + "\n") }
        }
        let registry = ProviderRegistry(environment: ProcessInfo.processInfo.environment,
                                        transport: transport, mockReplies: loaded.workflow.mock,
                                        compatible: loaded.config.providers, keyFiles: loaded.config.keyFiles, retry: retry)
        var cassette: CassetteUse?
        switch cassetteSettings(arguments, workflowPath: loaded.source.path) {
        case .failure(let error):
            Terminal.report(error)
            return ExitCode.usage
        case .success(let (mode, path)):
            if mode != .live {
                if mode == .replay, !FileManager.default.fileExists(atPath: path) {
                    Terminal.err("\(path): error: no cassette to replay\nhint: record one with 'flow run \(loaded.source.path) --record'\n")
                    return ExitCode.noInput
                }
                do {
                    cassette = CassetteUse(store: try CassetteStore.open(path), mode: mode,
                                           recordCommand: "flow run \(loaded.source.path) --record")
                } catch {
                    Terminal.err("\(error)\n")
                    return ExitCode.invalid
                }
            }
        }
        // With --json, stdout carries only the final object, so streamed text is not printed.
        var onText: (@Sendable (String, String) -> Void)?
        if arguments.flags.contains("--stream") {
            onText = json ? { _, _ in } : StreamPrinter().print
        }
        let workflowDirectory = (loaded.source.path as NSString).deletingLastPathComponent
        // An interactive workflow shows each answer as it comes, not only the output at the end.
        let interactive = !json && loaded.workflow.steps.contains { $0.ask != nil }
        var onAnswer: (@Sendable (String, String) -> Void)?
        if interactive, onText == nil {
            onAnswer = { _, text in Terminal.out(text.hasSuffix("\n") ? text : text + "\n") }
        }
        let processTools = ProcessToolRunner(baseDirectory: workflowDirectory.isEmpty ? "." : workflowDirectory)
        let tools = cassette?.tools(processTools, live: arguments.flags.contains("--live-tools")) { drift in
            Terminal.err("warning: \(drift)\n")
            writer.record(.warning, [("message", .string(drift))])
        } ?? processTools
        var interpreter = Interpreter(providers: registry, transcript: writer, onText: onText, input: StandardInput(),
                                      tools: tools,
                                      onAnswer: onAnswer, prices: prices,
                                      context: GitInfo.fields(for: workflowDirectory.isEmpty ? "." : workflowDirectory))
        interpreter.cassette = cassette
        interpreter.onRetry = { step, retry in
            Terminal.err("step \(step): retry \(retry.attempt) in \(String(format: "%.1f", retry.delay)) s: \(retry.error.description)\n")
        }
        Interruption.install(writer: writer, json: json, transcript: transcriptPath)
        let result = await interpreter.run(loaded, inputs: inputs)
        Interruption.parkIfInterrupted()

        if json {
            Terminal.out(RunReport.json(result, transcript: transcriptPath).serialized + "\n")
        } else {
            for step in result.steps {
                let cost = switch step.origin {
                case .live: Money.text(step.costUSD)
                case .replay: "replayed (recorded at \(Money.text(step.recordedCostUSD)))"
                case .mock: "scripted, $0"
                }
                Terminal.err("step \(step.id): \(step.finishReason.name), \(step.usage.inputTokens) in / \(step.usage.outputTokens) out tokens, \(cost), \(Int(step.latencyMs.rounded())) ms\n")
            }
            // Streamed or interactive text is already on the screen; print the output only when it adds something.
            let shown = arguments.flags.contains("--stream") || onAnswer != nil
            if onAnswer != nil, loaded.workflow.output == nil {
                // Every answer was printed as it came.
            } else if let output = result.output, !(shown && output == result.steps.last?.content) {
                if arguments.flags.contains("--stream") { Terminal.out("\n") }
                Terminal.out(output.hasSuffix("\n") ? output : output + "\n")
            } else if arguments.flags.contains("--stream") {
                Terminal.out("\n")
            }
            if let error = result.error { Terminal.err("error: \(error.message)\n") }
            Terminal.err("transcript: \(transcriptPath)\n")
        }
        // A run whose record was lost is not a success, whatever its answers were.
        if writer.failure != nil, result.error == nil { return ExitCode.ioError }
        return result.error?.exitCode ?? ExitCode.ok
    }
}

extension RunCommand {
    /// The cassette mode (--record, --replay, or FLOW_CASSETTE) and file.
    static func cassetteSettings(_ arguments: ParsedArguments, workflowPath: String) -> Result<(CassetteMode, String), UsageError> {
        var mode = CassetteMode.live
        if let text = ProcessInfo.processInfo.environment["FLOW_CASSETTE"], !text.isEmpty {
            guard let fromEnvironment = CassetteMode(rawValue: text) else {
                return .failure(UsageError(message: "FLOW_CASSETTE must be record, replay or live, got '\(text)'", command: Commands.run))
            }
            mode = fromEnvironment
        }
        if arguments.flags.contains("--record"), arguments.flags.contains("--replay") {
            return .failure(UsageError(message: "--record and --replay exclude each other", command: Commands.run))
        }
        if arguments.flags.contains("--record") { mode = .record }
        if arguments.flags.contains("--replay") { mode = .replay }
        let base = workflowPath.hasSuffix(".yaml") ? String(workflowPath.dropLast(5)) : workflowPath
        return .success((mode, arguments.value("--cassette") ?? base + ".cassette.json"))
    }

    /// `FLOW_RETRY_BASE_DELAY` (seconds, 0 to 60) shortens backoff, for tests against a local
    /// stub; anything else is a usage error rather than a wait that never ends.
    static func retryPolicy(command: CommandSpec) -> Result<RetryPolicy, UsageError> {
        var policy = RetryPolicy.default
        if let text = ProcessInfo.processInfo.environment["FLOW_RETRY_BASE_DELAY"], !text.isEmpty {
            guard let base = Double(text), base.isFinite, (0...60).contains(base) else {
                return .failure(UsageError(message: "FLOW_RETRY_BASE_DELAY takes seconds from 0 to 60, got '\(text)'", command: command))
            }
            policy.baseDelay = base
        }
        return .success(policy)
    }

    /// The `--var key=value` pairs, or nil after reporting a malformed one. `key=@path` reads the
    /// value from a file (a long document, a ticket), `key=@-` from standard input, and `@@`
    /// stands for a value that really starts with `@`. One final newline is dropped, as a shell's
    /// `$(cat file)` would, so `echo Ada | flow run … --var name=@-` gives `Ada`.
    static func variables(_ arguments: ParsedArguments, command: CommandSpec) -> [String: String]? {
        var given: [String: String] = [:]
        var readStandardInput = false
        for pair in arguments.values["--var"] ?? [] {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                Terminal.report(UsageError(message: "--var takes key=value, got '\(pair)'", command: command))
                return nil
            }
            let name = String(pair[..<equals])
            let value = String(pair[pair.index(after: equals)...])
            switch VariableSource(value) {
            case .literal(let text):
                given[name] = text
            case .standardInput:
                guard !readStandardInput else {
                    Terminal.report(UsageError(message: "only one --var can read standard input (@-)", command: command))
                    return nil
                }
                readStandardInput = true
                given[name] = VariableSource.droppingFinalNewline(String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self))
            case .file(let path):
                guard let data = FileManager.default.contents(atPath: path) else {
                    Terminal.report(UsageError(message: "--var \(name)=@\(path): the file cannot be read",
                                               hint: "write @@ for a value that starts with @", command: command))
                    return nil
                }
                guard let text = String(data: data, encoding: .utf8) else {
                    Terminal.report(UsageError(message: "--var \(name)=@\(path): the file is not UTF-8 text", command: command))
                    return nil
                }
                given[name] = VariableSource.droppingFinalNewline(text)
            }
        }
        return given
    }
}

/// Prints streamed text with a header line per step, so a multi-step stream stays readable.
final class StreamPrinter: Sendable {
    /// The step whose text is being printed.
    private let step = Locked<String?>(nil)

    func print(_ id: String, _ text: String) {
        step.withLock { step in
            if step != id {
                Terminal.err(step == nil ? "[\(id)]\n" : "\n[\(id)]\n")
                if step != nil { Terminal.out("\n") }
                step = id
            }
            Terminal.out(text)
        }
    }
}

/// The `--json` shape of a run, documented in docs/cli.md.
enum RunReport {
    static func json(_ result: RunResult, transcript: String) -> JSON {
        let totals = result.totals
        return .object(omittingNil: [
            ("status", .string(result.status.rawValue)),
            ("output", result.output.map(JSON.string) ?? .null),
            ("steps", .array(result.steps.map { step in
                .object([
                    ("id", .string(step.id)),
                    ("model", .string(step.model.description)),
                    ("finish_reason", .string(step.finishReason.name)),
                    ("finish_reason_raw", .string(step.finishReason.raw)),
                    ("content", .string(step.content)),
                    ("usage", .object([("input_tokens", .int(step.usage.inputTokens)), ("output_tokens", .int(step.usage.outputTokens))])),
                    ("latency_ms", .double((step.latencyMs * 1000).rounded() / 1000)),
                    ("cost_usd", step.costUSD.map(JSON.double) ?? .null),
                    ("mode", .string(step.origin.rawValue)),
                ] + (step.origin == .live ? [] : [("recorded_cost_usd", step.recordedCostUSD.map(JSON.double) ?? .null)]))
            })),
            ("totals", .object([("calls", .int(result.steps.count)), ("input_tokens", .int(totals.inputTokens)),
                                ("output_tokens", .int(totals.outputTokens)), ("cost_usd", result.costUSD.map(JSON.double) ?? .null)]
                                + (result.offlineCalls == 0 ? [] : [("offline_calls", .int(result.offlineCalls)),
                                                                    ("recorded_cost_usd", result.recordedCostUSD.map(JSON.double) ?? .null)]))),
            ("path", .array(result.path.map { .object([("step", .string($0.step)), ("finish_reason", .string($0.reason)),
                                                      ("action", .string($0.action))]) })),
            ("transcript", .string(transcript)),
            ("error", result.error.map { error in
                .object(omittingNil: [("kind", .string(error.kind.rawValue)), ("message", .string(error.message)),
                                      ("step", error.step.map(JSON.string))])
            }),
        ])
    }

    static func invalid(_ error: LoadError) -> JSON {
        .object([
            ("status", .string("invalid")),
            ("output", .null),
            ("steps", .array([])),
            ("errors", Diagnostics.json(error.diagnostics)),
        ])
    }
}

enum Diagnostics {
    static func json(_ diagnostics: [FlowSource.Diagnostic]) -> JSON {
        .array(diagnostics.map { diagnostic in
            .object(omittingNil: [
                ("file", .string(diagnostic.path)),
                ("line", diagnostic.mark.map { .int($0.line) }),
                ("column", diagnostic.mark.map { .int($0.column) }),
                ("message", .string(diagnostic.message)),
                ("hint", diagnostic.hint.map(JSON.string)),
            ])
        })
    }
}

/// Where a `--var` value comes from.
enum VariableSource: Equatable {
    case literal(String)
    case file(String)
    case standardInput

    static func droppingFinalNewline(_ text: String) -> String {
        text.hasSuffix("\r\n") ? String(text.dropLast(2)) : text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    init(_ value: String) {
        if value == "@-" { self = .standardInput }
        else if value.hasPrefix("@@") { self = .literal(String(value.dropFirst())) }
        else if value.hasPrefix("@"), value.count > 1 { self = .file(String(value.dropFirst())) }
        else { self = .literal(value) }
    }
}
