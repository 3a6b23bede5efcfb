import Foundation
import FlowCore
import FlowTemplate
import FlowSource

/// `flow run FILE`: load, run, print the output (or one JSON object), exit with the status.
/// Each step either gives what the next needs or stops the command with its exit status,
/// having said why.
enum RunCommand {
    /// A step that could not go on: the message is printed, the status is the exit status.
    struct Stop: Error {
        var status: Int32
    }

    /// The options that shape the run, checked before anything is read or written.
    struct Settings {
        var json: Bool
        var stream: Bool
        var timeout = 600.0
        var retry: RetryPolicy
        /// `-j`: requests in flight at once at most, to one provider (mapped items, steps side by side).
        var jobs = 256
    }

    static func main(_ arguments: ParsedArguments) async -> Int32 {
        do throws(Stop) {
            let settings = try parseSettings(arguments)
            guard let given = variables(arguments, command: Commands.run) else { throw Stop(status: ExitStatus.usage) }
            var loaded = try load(arguments.positionals[0], json: settings.json)
            try applyVariant(arguments, to: &loaded, command: Commands.run)
            try applyModelOverride(arguments, to: &loaded)
            if arguments.flags.contains("--batch") { return try await RunBatchCommand.main(arguments, settings: settings, loaded: loaded) }
            let inputs = try resolveInputs(given, for: loaded)
            let prices = try loadPrices(arguments)
            let cassette = try openCassette(arguments, for: loaded)
            let telemetry: Telemetry?
            switch TelemetryOption.make(arguments, command: Commands.run) {
            case .success(let made): telemetry = made
            case .failure(let error):
                Terminal.report(error)
                throw Stop(status: ExitStatus.usage)
            }
            let (writer, transcriptPath) = try openTranscript(arguments, for: loaded)

            // --verbose shows what MCP servers say beside their answers: logs, progress, stderr.
            var notice: (@Sendable (String) -> Void)?
            if arguments.flags.contains("--verbose") { notice = { @Sendable line in Terminal.err(line + "\n") } }
            let servers = MCPServers(baseDirectory: workflowBase(loaded), onNotice: notice)
            let mode = cassette.map { $0.mode == .record ? "record" : "replay" } ?? (loaded.workflow.model?.provider == .mock ? "mock" : "live")
            let (interpreter, shown) = makeInterpreter(arguments, settings: settings, loaded: loaded, prices: prices,
                                                       cassette: cassette, writer: writer, servers: servers,
                                                       spans: telemetry?.recorder(mode: mode))
            Interruption.install(writer: writer, json: settings.json, transcript: transcriptPath)
            if let cassette, cassette.mode == .record { Interruption.beforeExit { try? cassette.store.finish() } }
            var result = await interpreter.run(loaded, inputs: inputs)
            await servers.stopAll()
            TelemetryOption.finish(telemetry)
            Interruption.parkIfInterrupted()
            if let cassette, cassette.mode == .record {
                do {
                    try cassette.store.finish()
                } catch {
                    Terminal.err("error: \(error.message)\n")
                    if result.error == nil { result.error = RunError(RunError.kind(of: error), error.message) }
                }
            }

            report(result, settings: settings, loaded: loaded, answersShown: shown, transcriptPath: transcriptPath)
            // A run whose record was lost is not a success, whatever its answers were.
            if writer.failure != nil, result.error == nil { return ExitStatus.ioError }
            return result.error?.exitCode ?? ExitStatus.ok
        } catch {
            return error.status
        }
    }

    /// Where a workflow's tools and servers run: its file's directory.
    static func workflowBase(_ loaded: LoadedWorkflow) -> String {
        let directory = PathText.directory(of: loaded.source.path)
        return directory.isEmpty ? "." : directory
    }

    static func parseSettings(_ arguments: ParsedArguments) throws(Stop) -> Settings {
        func usage(_ message: String) -> Stop { Self.usage(message, command: Commands.run) }
        var settings = Settings(json: arguments.flags.contains("--json"), stream: arguments.flags.contains("--stream"),
                                retry: try retryPolicy(arguments, command: Commands.run))
        if let text = arguments.value("--timeout") {
            guard let seconds = Double(text), seconds.isFinite, seconds > 0, seconds <= 86_400 else {
                throw usage("--timeout takes a number of seconds above 0 and at most 86400 (a day), got '\(text)'")
            }
            settings.timeout = seconds
        }
        if let text = arguments.value("-j") {
            guard let value = Int(text), (1...256).contains(value) else { throw usage("-j takes a number from 1 to 256, got '\(text)'") }
            settings.jobs = value
        }
        return settings
    }

    /// The workflow, or a stop after its diagnostics (and, with --json, the invalid report).
    static func load(_ path: String, json: Bool) throws(Stop) -> LoadedWorkflow {
        do {
            let loaded = try WorkflowLoader.load(path: path)
            for warning in loaded.warnings { Terminal.err(warning.description + "\n") }
            return loaded
        } catch {
            Terminal.err(error.description + "\n")
            if json { Terminal.out(RunReport.invalid(error).serialized + "\n") }
            if case .unreadable = error { throw Stop(status: ExitStatus.noInput) }
            throw Stop(status: ExitStatus.invalid)
        }
    }

    /// `--variant NAME`: the workflow as one of its `variants:` runs it (a replay reads that
    /// variant's recordings, which `flow test` made).
    static func applyVariant(_ arguments: ParsedArguments, to loaded: inout LoadedWorkflow, command: CommandSpec) throws(Stop) {
        guard let name = arguments.value("--variant") else { return }
        switch loaded.workflow.variants(named: [name]) {
        case .success(let chosen): loaded = loaded.applying(chosen.first)
        case .failure(let error):
            Terminal.report(UsageError(message: error.message, command: command))
            throw Stop(status: ExitStatus.usage)
        }
    }

    /// `--model`: every step runs on this model instead.
    static func applyModelOverride(_ arguments: ParsedArguments, to loaded: inout LoadedWorkflow, command: CommandSpec = Commands.run) throws(Stop) {
        guard let text = arguments.value("--model") else { return }
        let providerNames = ProviderRegistry.builtIn + loaded.config.providers.map(\.name)
        guard let model = ModelRef(parsing: text), providerNames.contains(model.provider) else {
            Terminal.report(UsageError(message: "--model takes provider/model with a known provider (\(providerNames.map(\.rawValue).joined(separator: ", "))), got '\(text)'",
                                       command: command))
            throw Stop(status: ExitStatus.usage)
        }
        loaded.workflow.model = model
        for index in loaded.workflow.steps.indices { loaded.workflow.steps[index].model = nil }
    }

    static func resolveInputs(_ given: [String: String], for loaded: LoadedWorkflow) throws(Stop) -> [String: TemplateValue] {
        do {
            return try Inputs.resolve(given, for: loaded.workflow)
        } catch {
            Terminal.report(UsageError(message: error.message, command: Commands.run))
            throw Stop(status: ExitStatus.usage)
        }
    }

    static func loadPrices(_ arguments: ParsedArguments) throws(Stop) -> PriceTable {
        do {
            return try PriceTable.load(file: arguments.value("--prices") ?? ProcessEnvironment.current["FLOW_PRICES"])
        } catch {
            Terminal.err("error: \(error)\n")
            throw Stop(status: ExitStatus.noInput)
        }
    }

    /// The cassette to replay from or record into (--replay, --record, FLOW_CASSETTE), if any.
    static func openCassette(_ arguments: ParsedArguments, for loaded: LoadedWorkflow) throws(Stop) -> CassetteUse? {
        let (mode, path) = try cassetteSettings(arguments, workflowPath: loaded.source.path)
        guard mode != .live else { return nil }
        if mode == .replay, !CassetteStore.exists(path) {
            Terminal.err("\(path): error: no cassette to replay\nhint: record one with 'flow run \(loaded.source.path) --record'\n")
            throw Stop(status: ExitStatus.noInput)
        }
        do {
            let variant = loaded.variant.map { " --variant \($0)" } ?? ""
            return CassetteUse(store: try CassetteStore.open(path), mode: mode, recordCommand: "flow run \(loaded.source.path)\(variant) --record",
                               variant: loaded.variant)
        } catch {
            Terminal.err("\(error)\n")
            throw Stop(status: ExitStatus.invalid)
        }
    }

    /// A new transcript under --transcript-dir or the project's .flow/runs.
    static func openTranscript(_ arguments: ParsedArguments, for loaded: LoadedWorkflow) throws(Stop) -> (TranscriptWriter, String) {
        let directory: String
        if let given = arguments.value("--transcript-dir") {
            directory = given
        } else {
            // The project the command runs in, as flow show and flow cost look for it.
            directory = RunsDirectory.path(from: FileBytes.currentDirectory())
            if let warning = RunsDirectory.ignoreInGit(runs: directory) { Terminal.err(warning + "\n") }
        }
        let path = RunsDirectory.display(TranscriptWriter.newPath(in: directory, name: loaded.workflow.name))
        do {
            let writer = try TranscriptWriter(path: path)
            writer.onFailure = { message in Terminal.err("error: \(message)\n") }
            return (writer, path)
        } catch {
            Terminal.err("error: cannot create the transcript '\(path)': \(error.localizedDescription)\n")
            throw Stop(status: ExitStatus.software)
        }
    }

    /// The interpreter with its providers, tools and terminal callbacks; also whether answers are
    /// printed as they come (streamed, or an interactive workflow), so the report does not repeat them.
    static func makeInterpreter(_ arguments: ParsedArguments, settings: Settings, loaded: LoadedWorkflow, prices: PriceTable,
                                cassette: CassetteUse?, writer: TranscriptWriter, servers: MCPServers, spans: SpanRecorder? = nil) -> (Interpreter, Bool) {
        var transport: any HTTPTransport = URLSessionTransport(timeout: settings.timeout)
        if arguments.flags.contains("--verbose") {
            transport = LoggingTransport(transport) { line in Terminal.err(line + "\n") }
        }
        var registry = ProviderRegistry(environment: ProcessEnvironment.current,
                                        transport: transport, mockReplies: loaded.workflow.mock,
                                        compatible: loaded.config.providers, keyFiles: loaded.config.keyFiles, retry: settings.retry)
        registry.gates = RateGates(ceiling: settings.jobs, declared: loaded.config.rateLimits)
        // With --json, stdout carries only the final object, so streamed text is not printed.
        // Standard output holds the same bytes with --stream as without: streamed text goes
        // there only when stdout is a terminal and the answers are the output (no `output:`
        // template); otherwise it goes to stderr, as progress, and stdout gets what it always does.
        let interactive = !settings.json && loaded.workflow.steps.contains { $0.ask != nil }
        let streamToStdout = isatty(STDOUT_FILENO) == 1 && loaded.workflow.output == nil
        var onText: (@Sendable (String, String) -> Void)?
        var onAnswer: (@Sendable (String, String) -> Void)?
        if settings.stream, !settings.json {
            let printer = StreamPrinter(toStdout: streamToStdout)
            onText = printer.print
            onAnswer = { step, text in
                // Each streamed answer ends its line, so a chat's next "You: " starts a new one.
                printer.finish(step)
                if interactive, !streamToStdout { Terminal.out(text.hasSuffix("\n") ? text : text + "\n") }
            }
        } else if settings.stream {
            onText = { _, _ in }
        } else if interactive {
            // An interactive workflow shows each answer as it comes, not only the output at the end.
            onAnswer = { _, text in Terminal.out(text.hasSuffix("\n") ? text : text + "\n") }
        }
        let answersShown = interactive || (settings.stream && streamToStdout && !settings.json)
        let base = workflowBase(loaded)
        // MCP servers' tools beside argv tools, under the cassette: both are recorded and replayed.
        let processTools = MCPToolRunner(inner: ProcessToolRunner(baseDirectory: base), servers: servers, declared: loaded.workflow.mcp)
        let tools = cassette?.tools(processTools, live: arguments.flags.contains("--live-tools")) { drift in
            Terminal.err("warning: \(drift)\n")
            writer.record(.warning, [("message", .string(drift))])
        } ?? processTools
        var interpreter = Interpreter(providers: registry, transcript: spans.map { TeeTranscript([writer, $0]) as any TranscriptSink } ?? writer,
                                      onText: onText, input: StandardInput(),
                                      tools: tools, onAnswer: onAnswer, prices: prices, context: GitInfo.fields(for: base))
        interpreter.cassette = cassette
        // Each answer's line as it ends (a chat shows its usage turn by turn), on stderr.
        if !settings.json { interpreter.onStep = { step in Terminal.err(stepLine(step, conversation: interactive)) } }
        interpreter.onRetry = { step, retry in
            Terminal.err("step \(step): retry \(retry.attempt) in \(String(format: "%.1f", retry.delay)) s: \(retry.error.description)\n")
        }
        // A 429 is said as it happens, and pacing when it holds a step for a second or more;
        // on a terminal a wait of some seconds counts down while it lasts.
        interpreter.onWait = { step, wait in
            let seconds = String(format: "%.1f", wait.seconds)
            if wait.reason == .rateLimited {
                let said = "step \(step): rate-limited (HTTP \(wait.status ?? 429)), "
                Countdown.show(seconds: wait.seconds, line: said + "sending again in \(seconds) s") { said + "sending again in \($0) s" }
            } else if wait.ahead {
                // Said once it is over (below); on a terminal, counted down meanwhile.
                if Countdown.live {
                    Countdown.show(seconds: wait.seconds, line: "step \(step): held \(seconds) s for the provider's rate limit") {
                        "step \(step): held for the provider's rate limit, \($0) s to go"
                    }
                }
            } else if wait.seconds >= 1, !(wait.seconds >= RateWait.announced && Countdown.live) {
                Terminal.err("step \(step): waited \(seconds) s for the provider's rate limit\n")
            }
        }
        return (interpreter, answersShown)
    }

    /// The output on stdout and a line per step on stderr, or the one JSON object.
    /// One answer's line on stderr: how it ended, its tokens and cost, how long it took; in a
    /// chat also how large the conversation has grown.
    static func stepLine(_ step: StepResult, conversation: Bool) -> String {
        let cost = switch step.origin {
        case .live: Money.text(step.costUSD)
        case .replay: "replayed (recorded at \(Money.text(step.recordedCostUSD)))"
        case .mock: "scripted, $0"
        }
        let context = conversation ? ", context \(step.usage.inputTokens + step.usage.outputTokens) tokens" : ""
        return "step \(step.id): \(step.finishReason.name), \(step.usage.inputTokens) in / \(step.usage.outputTokens) out tokens, \(cost), "
            + "\(Int(step.latencyMs.rounded())) ms\(context)\n"
    }

    static func report(_ result: RunResult, settings: Settings, loaded: LoadedWorkflow, answersShown: Bool, transcriptPath: String) {
        if settings.json {
            Terminal.out(RunReport.json(result, transcript: transcriptPath).serialized + "\n")
            return
        }
        // A cost that cannot be given says why and how to give it, once per model.
        let unpriced = Set(result.steps.filter { $0.origin == .live && $0.costUSD == nil }.map(\.model.description)).sorted()
        for model in unpriced {
            Terminal.err("cost unknown: flow has no price for \(model); give it with --prices FILE (or FLOW_PRICES), "
                         + "a price file in LiteLLM's JSON format (flow models lists the prices it has)\n")
        }
        // Answers already printed on stdout as they came (a chat, or a stream to a terminal) are
        // not printed again; the output is, when it adds something.
        if answersShown, loaded.workflow.output == nil {
            // Every answer was printed as it came.
        } else if let output = result.output, !(answersShown && output == result.steps.last?.content) {
            Terminal.out(output.hasSuffix("\n") ? output : output + "\n")
        }
        if let error = result.error { Terminal.err("\(error.place)error: \(error.message)\n") }
        Terminal.err("transcript: \(transcriptPath)\n")
    }
}

extension RunCommand {
    /// The cassette mode (--record, --replay, or FLOW_CASSETTE) and file.
    static func cassetteSettings(_ arguments: ParsedArguments, workflowPath: String) throws(Stop) -> (CassetteMode, String) {
        var mode = CassetteMode.live
        if let text = ProcessEnvironment.current["FLOW_CASSETTE"], !text.isEmpty {
            guard let fromEnvironment = CassetteMode(rawValue: text) else {
                throw usage("FLOW_CASSETTE must be record, replay or live, got '\(text)'", command: Commands.run)
            }
            mode = fromEnvironment
        }
        if arguments.flags.contains("--record"), arguments.flags.contains("--replay") {
            throw usage("--record and --replay exclude each other", command: Commands.run)
        }
        if arguments.flags.contains("--record") { mode = .record }
        if arguments.flags.contains("--replay") { mode = .replay }
        let base = workflowPath.hasSuffix(".yaml") ? String(workflowPath.dropLast(5)) : workflowPath
        return (mode, arguments.value("--cassette") ?? base + ".cassette.json")
    }

    /// Reports a usage error of `command` and gives the Stop that ends it with exit 64. (Usage
    /// errors are thrown as Stop, not kept in a `Result<_, UsageError>`: that type's metadata is
    /// built at run time by a scan of every conformance record, about 0.05 ms of each start.)
    static func usage(_ message: String, command: CommandSpec) -> Stop {
        Terminal.report(UsageError(message: message, command: command))
        return Stop(status: ExitStatus.usage)
    }

    /// `--retries`, `--max-wait` and FLOW_RETRY_BASE_DELAY, checked: the variable (seconds, 0
    /// to 60) shortens backoff, for tests against a local stub; anything else is a usage error
    /// rather than a wait that never ends.
    static func retryPolicy(_ arguments: ParsedArguments, command: CommandSpec) throws(Stop) -> RetryPolicy {
        var policy = RetryPolicy.default
        if let text = arguments.value("--retries") {
            guard let count = Int(text), (0...20).contains(count) else {
                throw usage("--retries takes a whole number from 0 to 20, got '\(text)'", command: command)
            }
            policy.maxRetries = count
        }
        if let text = arguments.value("--max-wait") {
            guard let seconds = Double(text), seconds.isFinite, (0...86_400).contains(seconds) else {
                throw usage("--max-wait takes seconds from 0 to 86400 (a day), got '\(text)'", command: command)
            }
            policy.maxWait = seconds
        }
        if let text = ProcessEnvironment.current["FLOW_RETRY_BASE_DELAY"], !text.isEmpty {
            guard let base = Double(text), base.isFinite, (0...60).contains(base) else {
                throw usage("FLOW_RETRY_BASE_DELAY takes seconds from 0 to 60, got '\(text)'", command: command)
            }
            policy.baseDelay = base
        }
        return policy
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

/// Prints streamed text with a header line per step (on stderr), so a multi-step stream stays
/// readable; the text goes to stdout or, when stdout is kept for the output, to stderr.
final class StreamPrinter: Sendable {
    private struct State {
        /// The step whose text is being printed.
        var step: String?
        /// Whether the last text printed ended its line.
        var atLineStart = true
    }

    private let state = Locked(State())
    private let toStdout: Bool

    init(toStdout: Bool) { self.toStdout = toStdout }

    func print(_ id: String, _ text: String) {
        guard !text.isEmpty else { return }
        state.withLock { state in
            if state.step != id {
                if !state.atLineStart { write("\n") }
                Terminal.err("[\(id)]\n")
                state.step = id
            }
            write(text)
            state.atLineStart = text.hasSuffix("\n")
        }
    }

    /// An answer of `id` has ended: its line is ended too.
    func finish(_ id: String) {
        state.withLock { state in
            if !state.atLineStart { write("\n") }
            state.atLineStart = true
        }
    }

    private func write(_ text: String) {
        if toStdout { Terminal.out(text) } else { Terminal.err(text) }
    }
}

/// The `--json` shape of a run, documented in docs/cli.md.
enum RunReport {
    static func step(_ step: StepResult) -> JSON {
        var fields: [(String, JSON)] = [
            ("id", .string(step.id)),
            ("model", .string(step.model.description)),
            ("finish_reason", .string(step.finishReason.name)),
            ("finish_reason_raw", .string(step.finishReason.raw)),
            ("content", .string(step.content)),
            ("usage", .object([("input_tokens", .int(step.usage.inputTokens)), ("output_tokens", .int(step.usage.outputTokens))])),
            ("latency_ms", .double((step.latencyMs * 1000).rounded() / 1000)),
            ("cost_usd", step.costUSD.map(JSON.double) ?? .null),
            ("mode", .string(step.origin.rawValue)),
        ]
        if step.origin != .live { fields.append(("recorded_cost_usd", step.recordedCostUSD.map(JSON.double) ?? .null)) }
        // The first token's probability: what a confidence_below test reads.
        if let first = step.logprobs?.first { fields.append(("confidence", .double(first.confidence))) }
        return .object(fields)
    }

    static func json(_ result: RunResult, transcript: String) -> JSON {
        let totals = result.totals
        return .object(omittingNil: [
            ("status", .string(result.status.rawValue)),
            ("output", result.output.map(JSON.string) ?? .null),
            ("steps", .array(result.steps.map(step))),
            ("totals", .object([("calls", .int(result.steps.count)), ("input_tokens", .int(totals.inputTokens)),
                                ("output_tokens", .int(totals.outputTokens)), ("cost_usd", result.costUSD.map(JSON.double) ?? .null)]
                                + (result.offlineCalls == 0 ? [] : [("offline_calls", .int(result.offlineCalls)),
                                                                    ("recorded_cost_usd", result.recordedCostUSD.map(JSON.double) ?? .null)]))),
            ("path", .array(result.path.map { .object([("step", .string($0.step)), ("finish_reason", .string($0.reason)),
                                                      ("action", .string($0.action))]) })),
            ("transcript", .string(transcript)),
            ("error", result.error.map { error in
                .object(omittingNil: [("kind", .string(error.kind.rawValue)), ("message", .string(error.message)),
                                      ("step", error.step.map(JSON.string)), ("file", error.file.map(JSON.string)),
                                      ("line", error.mark.map { .int($0.line) }), ("column", error.mark.map { .int($0.column) })])
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
