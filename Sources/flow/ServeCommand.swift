import Foundation
import FlowCore
import FlowSource
import FlowTemplate

/// `flow serve [DIR]`: an HTTP server that runs the project's workflows by name, with the same
/// interpreter, pacer and transcripts as `flow run`. Runs come in as `POST
/// /v1/workflows/{name}/runs`; each connection has its own thread (ServeListener) that waits for
/// its run; SIGTERM stops accepting and lets the runs in flight finish.
enum ServeCommand {
    struct Settings {
        var host = "127.0.0.1"
        var port: UInt16 = 8080
        var limits = ServeLimits()
        var perClient = 8
        var jobs = 64
        var connections = 256
        var grace = 30.0
        var idle = 30
        var transcripts: String?
        var replay = false
        var reload = 1.0
    }

    static func main(_ arguments: ParsedArguments) async -> Int32 {
        let directory = arguments.positionals.first ?? (FileManager.default.fileExists(atPath: "workflows") ? "workflows" : ".")
        var settings = Settings()
        do throws(ServeError) { settings = try parse(arguments) } catch {
            Terminal.report(UsageError(message: error.description, command: Commands.serve))
            return ExitStatus.usage
        }
        let tokenFile = arguments.value("--tokens-file")
        var fileText: String?
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                Terminal.err("error: cannot read the tokens file '\(tokenFile)'\n")
                return ExitStatus.noInput
            }
            fileText = String(decoding: data, as: UTF8.self)
        }
        let access = ServeAccess(tokens: ServeAccess.tokens(environment: ProcessEnvironment.current["FLOW_SERVE_TOKENS"], file: fileText))
        for token in access.tokens { Secrets.register(token) }
        guard access.required || ["127.0.0.1", "localhost"].contains(settings.host) else {
            Terminal.err("error: flow serve with no bearer tokens listens on loopback only, not on \(settings.host)\nhint: set FLOW_SERVE_TOKENS (comma-separated) or --tokens-file to take requests from other machines\n")
            return ExitStatus.usage
        }
        if settings.host == "localhost" { settings.host = "127.0.0.1" }

        // Every workflow is checked before the server takes a request.
        let catalog = ServeCatalog(directory: directory)
        let files: @Sendable () -> [String] = { (try? PathExpansion.workflows([directory]).files) ?? [] }
        for line in catalog.refresh(files: files()) { Terminal.err(line + "\n") }
        guard !catalog.entries.isEmpty else {
            Terminal.err("error: no workflow under '\(directory)' validates; nothing to serve\n")
            return ExitStatus.invalid
        }
        var telemetry: Telemetry?
        switch TelemetryOption.make(arguments, command: Commands.serve) {
        case .success(let made): telemetry = made
        case .failure(let error):
            Terminal.report(error)
            return ExitStatus.usage
        }
        let server = ServeState(catalog: catalog, access: access, settings: settings, telemetry: telemetry)
        let listener: ServeListener
        do {
            listener = try ServeListener(host: settings.host, port: settings.port, limits: settings.limits, maxConnections: settings.connections,
                                         idleSeconds: settings.idle) { request, peer, write in server.handle(request, peer: peer, write: write) }
        } catch {
            Terminal.err("error: \(error)\n")
            return ExitStatus.unavailable
        }
        Terminal.err("flow serve: \(catalog.entries.count) workflow\(catalog.entries.count == 1 ? "" : "s") on http://\(settings.host):\(listener.port)"
                     + (access.required ? " (bearer tokens required)" : " (loopback only, no token)") + "\n")

        // Reload when files change, until stopped.
        let stopped = Locked(false)
        let every = settings.reload
        let reloader = Thread {
            while !stopped.current {
                Thread.sleep(forTimeInterval: every)
                for line in catalog.refresh(files: files()) { Terminal.err(line + "\n") }
            }
        }
        reloader.start()

        let done = DispatchSemaphore(value: 0)
        Interruption.installGraceful { signal in
            Terminal.err("flow serve: \(signal == SIGTERM ? "SIGTERM" : "SIGINT"): not taking new runs; finishing \(server.concurrency.inFlight) in flight (a second signal stops now)\n")
            server.stopping.withLock { $0 = true }
            listener.stopAccepting()
            done.signal()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                done.wait()
                continuation.resume()
            }.start()
        }
        // Runs in flight finish (their answers are written), within the grace period.
        let deadline = Date().addingTimeInterval(settings.grace)
        while (server.concurrency.inFlight > 0 || listener.openConnections > 0), Date() < deadline { try? await Task.sleep(nanoseconds: 20_000_000) }
        stopped.withLock { $0 = true }
        TelemetryOption.finish(telemetry, seconds: 2)
        let left = server.concurrency.inFlight
        Terminal.err("flow serve: stopped; \(server.served.current) runs served" + (left > 0 ? ", \(left) still running when the \(Int(settings.grace)) s grace ended" : "") + "\n")
        return left > 0 ? ExitStatus.interrupted : ExitStatus.ok
    }

    static func parse(_ arguments: ParsedArguments) throws(ServeError) -> Settings {
        var settings = Settings()
        func int(_ name: String, _ range: ClosedRange<Int>) throws(ServeError) -> Int? {
            guard let text = arguments.value(name) else { return nil }
            guard let value = Int(text), range.contains(value) else { throw ServeError("\(name) takes a number from \(range.lowerBound) to \(range.upperBound), got '\(text)'") }
            return value
        }
        if let host = arguments.value("--host") { settings.host = host }
        if let port = try int("--port", 0...65535) { settings.port = UInt16(port) }
        if let bytes = try int("--max-body", 1...(64 << 20)) { settings.limits.maxBodyBytes = bytes }
        if let value = try int("--per-client", 1...10_000) { settings.perClient = value }
        if let value = try int("-j", 1...1024) { settings.jobs = value }
        if let value = try int("--connections", 1...10_000) { settings.connections = value }
        if let value = try int("--grace", 0...3600) { settings.grace = Double(value) }
        if let value = try int("--idle", 1...3600) { settings.idle = value }
        settings.transcripts = arguments.value("--transcript-dir")
        settings.replay = arguments.flags.contains("--replay")
        return settings
    }
}

/// What every connection shares: the catalog, who may call, the runs each caller has going,
/// one pacer per provider for every run.
final class ServeState: Sendable {
    let catalog: ServeCatalog
    let access: ServeAccess
    let concurrency: ServeConcurrency
    let settings: ServeCommand.Settings
    let gates: RateGates
    let transport: any HTTPTransport
    let stopping = Locked(false)
    let served = Locked(0)
    let transcripts: String?
    let cassettes = Locked<[String: CassetteUse]>([:])
    let telemetry: Telemetry?

    init(catalog: ServeCatalog, access: ServeAccess, settings: ServeCommand.Settings, telemetry: Telemetry?) {
        self.telemetry = telemetry
        self.catalog = catalog
        self.access = access
        self.settings = settings
        concurrency = ServeConcurrency(perClient: settings.perClient)
        gates = RateGates(ceiling: settings.jobs, declared: catalog.entries.first?.loaded.config.rateLimits ?? [:])
        transport = URLSessionTransport()
        transcripts = settings.transcripts == "off" ? nil : settings.transcripts ?? RunsDirectory.path(from: FileBytes.currentDirectory())
    }

    static let json = [("Content-Type", "application/json")]

    /// Answers one request; false closes the connection.
    func handle(_ request: ServeRequest, peer: String, write: ([UInt8]) -> Bool) -> Bool {
        let keep = request.keepAlive && !stopping.current
        func answer(_ status: Int, _ body: JSON, headers: [(String, String)] = []) -> Bool {
            write(ServeHTTP.response(status: status, headers: Self.json + headers, body: Array((body.serialized + "\n").utf8), keepAlive: keep)) && keep
        }
        func fail(_ status: Int, _ message: String, headers: [(String, String)] = []) -> Bool {
            write(ServeHTTP.error(status, message, keepAlive: keep, headers: headers)) && keep
        }
        switch (request.method, request.path) {
        case ("GET", "/healthz"):
            return answer(200, .object([("status", .string("ok"))]))
        case ("GET", "/readyz"):
            if stopping.current { return fail(503, "shutting down") }
            return answer(200, .object([("status", .string("ready")), ("workflows", .int(catalog.entries.count))]))
        default: break
        }
        guard request.path.hasPrefix("/v1/") else { return fail(404, "no such endpoint; see GET /v1/workflows") }
        guard let identity = access.identity(authorization: request.headers["authorization"], peer: peer) else {
            return fail(401, "a bearer token is required (Authorization: Bearer …)", headers: [("WWW-Authenticate", "Bearer")])
        }
        let parts = request.path.split(separator: "/").map(String.init)
        if parts == ["v1", "workflows"] {
            guard request.method == "GET" else { return fail(405, "GET lists the workflows", headers: [("Allow", "GET")]) }
            return answer(200, listing())
        }
        guard parts.count == 4, parts[0] == "v1", parts[1] == "workflows", parts[3] == "runs" else { return fail(404, "no such endpoint; see GET /v1/workflows") }
        guard request.method == "POST" else { return fail(405, "POST starts a run", headers: [("Allow", "POST")]) }
        guard let entry = catalog.entry(parts[2]) else {
            return fail(404, "no workflow '\(parts[2])'" + (Suggestion.hint(for: parts[2], in: catalog.entries.map(\.name)).map { " (\($0))" } ?? ""))
        }
        if stopping.current { return fail(503, "shutting down; not taking new runs") }
        // The inputs, before a place is taken.
        var vars: [(String, JSON)] = []
        if !request.body.isEmpty {
            guard (request.headers["content-type"] ?? "application/json").lowercased().hasPrefix("application/json") else {
                return fail(415, "send the run's inputs as application/json: {\"vars\": {…}}")
            }
            guard let body = try? JSON.parse(request.body), case .object(let pairs) = body else {
                return fail(400, "the body is not a JSON object; send {\"vars\": {…}}")
            }
            for (key, _) in pairs where key != "vars" { return fail(422, "unknown field '\(key)'; the body is {\"vars\": {…}}") }
            if let given = body["vars"] {
                guard case .object(let given) = given else { return fail(422, "'vars' must be an object of input names to values") }
                vars = given
            }
        }
        let inputs: [String: TemplateValue]
        do throws(RunError) {
            inputs = try Inputs.resolve(values: Dictionary(vars.map { ($0.0, $0.1.string.map(TemplateValue.string) ?? TemplateValue($0.1)) }) { first, _ in first },
                                        for: entry.loaded.workflow)
        } catch {
            return fail(422, error.message)
        }
        guard concurrency.enter(identity) else {
            return fail(429, "\(settings.perClient) runs of this client are in flight; wait for one to end", headers: [("Retry-After", "1")])
        }
        defer { concurrency.leave(identity) }
        let streamed = (request.headers["accept"] ?? "").contains("text/event-stream")
        // The caller's trace, if it sent one, is the run span's parent.
        let parent = request.headers["traceparent"].flatMap(TraceParent.init(header:))
        return run(entry, inputs: inputs, streamed: streamed, keep: keep, parent: parent, write: write)
    }

    /// Runs the workflow and writes its report, or its events as they happen.
    func run(_ entry: ServeCatalog.Entry, inputs: [String: TemplateValue], streamed: Bool, keep: Bool, parent: TraceParent?, write: ([UInt8]) -> Bool) -> Bool {
        let loaded = entry.loaded
        var sink: any TranscriptSink
        var transcriptPath = ""
        if let transcripts {
            do {
                let writer = try TranscriptWriter.new(in: transcripts, name: loaded.workflow.name)
                writer.onFailure = { message in Terminal.err("error: \(message)\n") }
                transcriptPath = RunsDirectory.display(writer.path)
                sink = writer
            } catch {
                return write(ServeHTTP.error(500, "cannot create a transcript in '\(transcripts)'", keepAlive: keep)) && keep
            }
        } else {
            sink = NullTranscript()
        }
        if let telemetry {
            let mode = settings.replay ? "replay" : loaded.workflow.model?.provider == .mock ? "mock" : "live"
            sink = TeeTranscript([sink, telemetry.recorder(parent: parent, mode: mode)])
        }
        var registry = ProviderRegistry(environment: ProcessEnvironment.current, transport: transport, mockReplies: loaded.workflow.mock,
                                        compatible: loaded.config.providers, keyFiles: loaded.config.keyFiles)
        registry.gates = gates
        // Streamed events go out from the interpreter's threads in order, through one lock.
        let events = Locked<[[UInt8]]>([])
        var onText: (@Sendable (String, String) -> Void)?
        if streamed {
            guard write(ServeHTTP.streamHead(headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])) else { return false }
            _ = write(Self.event("start", .object([("workflow", .string(entry.name)), ("transcript", .string(transcriptPath))])))
            onText = { step, text in events.withLock { $0.append(Self.event("text", .object([("step", .string(step)), ("text", .string(text))]))) } }
        }
        let base = PathText.directory(of: loaded.source.path)
        var interpreter = Interpreter(providers: registry, transcript: sink, onText: onText,
                                      tools: ProcessToolRunner(baseDirectory: base.isEmpty ? "." : base))
        if settings.replay { interpreter.cassette = cassette(for: loaded) }
        if streamed { interpreter.onStep = { step in events.withLock { $0.append(Self.event("step", RunReport.step(step))) } } }
        let finished = DispatchSemaphore(value: 0)
        let outcome = Locked<RunResult?>(nil)
        let running = interpreter
        Task {
            let result = await running.run(loaded, inputs: inputs)
            outcome.withLock { $0 = result }
            finished.signal()
        }
        if streamed {
            // Events are written from this thread, as they come, until the run ends.
            var alive = true
            while finished.wait(timeout: .now() + .milliseconds(20)) == .timedOut {
                let pending = events.withLock { queue -> [[UInt8]] in defer { queue.removeAll() }; return queue }
                for bytes in pending where alive { alive = write(bytes) }
            }
            let pending = events.withLock { $0 }
            for bytes in pending where alive { alive = write(bytes) }
        } else {
            finished.wait()
        }
        let result = outcome.current!
        served.withLock { $0 += 1 }
        let report = RunReport.json(result, transcript: transcriptPath)
        if streamed {
            _ = write(Self.event(result.error == nil ? "end" : "error", report))
            return false
        }
        let status = result.error == nil ? 200 : result.error?.kind == .provider ? 502 : 500
        return write(ServeHTTP.response(status: status, headers: Self.json, body: Array((report.serialized + "\n").utf8), keepAlive: keep)) && keep
    }

    /// The workflow's cassette (`NAME.cassette.json` beside it) for `--replay`, opened once.
    func cassette(for loaded: LoadedWorkflow) -> CassetteUse? {
        let base = loaded.source.path.hasSuffix(".yaml") ? String(loaded.source.path.dropLast(5)) : loaded.source.path
        let path = base + ".cassette.json"
        return cassettes.withLock { cassettes in
            if let open = cassettes[path] { return open }
            guard let store = try? CassetteStore.open(path) else { return nil }
            let use = CassetteUse(store: store, mode: .replay, recordCommand: "flow test \(loaded.source.path) --live --record")
            cassettes[path] = use
            return use
        }
    }

    /// `GET /v1/workflows`.
    func listing() -> JSON {
        .object([
            ("workflows", .array(catalog.entries.map { entry in
                .object(omittingNil: [
                    ("name", .string(entry.name)),
                    ("description", entry.loaded.workflow.description.map(JSON.string)),
                    ("path", .string(entry.loaded.source.path)),
                    ("vars", .array(entry.loaded.workflow.vars.map { variable in
                        .object(omittingNil: [("name", .string(variable.name)), ("required", .bool(variable.defaultValue == nil)),
                                              ("default", variable.defaultValue.map { JSON($0) })])
                    })),
                    ("input_schema", ServeCatalog.inputSchema(entry.loaded.workflow)),
                    ("stale", entry.problem.map(JSON.string)),
                ])
            })),
            ("problems", .array(catalog.problems.map { .object([("file", .string($0.0)), ("message", .string($0.1))]) })),
        ])
    }

    static func event(_ name: String, _ data: JSON) -> [UInt8] {
        Array("event: \(name)\ndata: \(data.serialized)\n\n".utf8)
    }
}
