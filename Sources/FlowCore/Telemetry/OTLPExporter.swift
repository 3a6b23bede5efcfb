import Foundation

/// Where spans go: an OTLP/HTTP collector taking JSON (`OTEL_EXPORTER_OTLP_ENDPOINT` +
/// `/v1/traces`, or `--otlp URL`). Export never slows or fails a run: spans wait in a bounded
/// queue (a full queue drops the newest and counts them) and a background thread posts them in
/// batches; a collector that is down costs its timeout on that thread only.
public final class OTLPExporter: Sendable {
    public struct Settings: Sendable {
        /// The traces URL (`…/v1/traces`).
        public var url: String
        public var headers: [(String, String)] = []
        public var service = "flow"
        public var queueLimit = 4096
        public var batchSize = 512
        public var interval = 1.0
        public var timeout = 5.0

        public init(url: String) { self.url = url }

        /// From the standard variables: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (a full URL) or
        /// `OTEL_EXPORTER_OTLP_ENDPOINT` (a base: `/v1/traces` is added), `OTEL_EXPORTER_OTLP_HEADERS`
        /// (and `…_TRACES_HEADERS`: `key=value,…`, values URL-encoded), `OTEL_SERVICE_NAME`, and
        /// `OTEL_EXPORTER_OTLP_PROTOCOL`, which must be `http/json`. `flag` (`--otlp URL`) is a base
        /// URL too, and wins. Nil when nothing asks for export.
        public static func from(flag: String?, environment: [String: String]) throws(OTLPConfigError) -> Settings? {
            let protocolName = environment["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] ?? environment["OTEL_EXPORTER_OTLP_PROTOCOL"]
            let url: String
            if let flag { url = Self.traces(flag) }
            else if let full = environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"], !full.isEmpty { url = full }
            else if let base = environment["OTEL_EXPORTER_OTLP_ENDPOINT"], !base.isEmpty { url = Self.traces(base) }
            else { return nil }
            if let protocolName, protocolName != "http/json" {
                throw OTLPConfigError(message: "OTEL_EXPORTER_OTLP_PROTOCOL is '\(protocolName)'; flow exports http/json only (set it to http/json, or unset it)")
            }
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw OTLPConfigError(message: "the OTLP endpoint '\(url)' is not an http(s) URL")
            }
            var settings = Settings(url: url)
            for list in [environment["OTEL_EXPORTER_OTLP_HEADERS"], environment["OTEL_EXPORTER_OTLP_TRACES_HEADERS"]] {
                for pair in (list ?? "").split(separator: ",") {
                    guard let equals = pair.firstIndex(of: "=") else { continue }
                    let key = String(pair[..<equals]).trimmingWhitespace
                    let value = (String(pair[pair.index(after: equals)...]).removingPercentEncoding ?? "").trimmingWhitespace
                    guard !key.isEmpty else { continue }
                    Secrets.register(value)
                    settings.headers.removeAll { $0.0.lowercased() == key.lowercased() }
                    settings.headers.append((key, value))
                }
            }
            if let service = environment["OTEL_SERVICE_NAME"], !service.isEmpty { settings.service = service }
            return settings
        }

        static func traces(_ base: String) -> String {
            base.hasSuffix("/v1/traces") ? base : (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/v1/traces"
        }
    }

    public let settings: Settings
    let transport: any HTTPTransport
    private let state = Locked<(queue: [Span], dropped: Int, failed: Int, exported: Int, stopping: Bool, busy: Bool)>(([], 0, 0, 0, false, false))
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    public init(_ settings: Settings, transport: (any HTTPTransport)? = nil) {
        self.settings = settings
        self.transport = transport ?? URLSessionTransport(timeout: settings.timeout)
        let thread = Thread { [self] in loop() }
        thread.start()
    }

    /// Queues a finished span; O(1), never blocks on the network.
    public func enqueue(_ span: Span) {
        let full = state.withLock { state -> Bool in
            guard state.queue.count < settings.queueLimit else { state.dropped += 1; return false }
            state.queue.append(span)
            return state.queue.count % settings.batchSize == 0
        }
        if full { wake.signal() }
    }

    /// Spans dropped (queue full), spans in batches the collector did not take, spans exported.
    public var counts: (dropped: Int, failed: Int, exported: Int) { state.withLock { ($0.dropped, $0.failed, $0.exported) } }

    /// Sends what is queued and stops, waiting at most `timeout` seconds.
    public func shutdown(timeout: Double = 3) {
        state.withLock { $0.stopping = true }
        wake.signal()
        _ = done.wait(timeout: .now() + timeout)
    }

    private func loop() {
        var lastFlush = Date()
        while true {
            _ = wake.wait(timeout: .now() + settings.interval)
            // Full batches go at once; a partial one waits for the interval (or the end), so a
            // burst of wake-ups does not turn into many small posts.
            let due = Date().timeIntervalSince(lastFlush) >= settings.interval || state.withLock { $0.stopping }
            while true {
                let batch = state.withLock { state -> [Span] in
                    guard state.queue.count >= settings.batchSize || due else { return [] }
                    let batch = Array(state.queue.prefix(settings.batchSize))
                    state.queue.removeFirst(batch.count)
                    return batch
                }
                if batch.isEmpty { break }
                send(batch)
            }
            if due { lastFlush = Date() }
            if state.withLock({ $0.stopping && $0.queue.isEmpty }) {
                done.signal()
                return
            }
        }
    }

    private func send(_ batch: [Span]) {
        let body = Span.exportRequest(batch, service: settings.service).serialized
        let request = HTTPRequest(method: "POST", url: settings.url,
                                  headers: [Header("Content-Type", "application/json")] + settings.headers.map { Header($0.0, $0.1) }, body: Array(body.utf8))
        let finished = DispatchSemaphore(value: 0)
        let ok = Locked(false)
        let transport = self.transport
        Task.detached {
            if let response = try? await transport.send(request), (200..<300).contains(response.status) { ok.withLock { $0 = true } }
            finished.signal()
        }
        finished.wait()
        state.withLock { state in
            if ok.current { state.exported += batch.count } else { state.failed += batch.count }
        }
    }
}

public struct OTLPConfigError: Error, Sendable {
    public var message: String
}

/// Tracing for a command: one exporter, and a span recorder per run that feeds it.
public struct Telemetry: Sendable {
    public let exporter: OTLPExporter
    public let includeContent: Bool

    public init(exporter: OTLPExporter, includeContent: Bool) {
        self.exporter = exporter
        self.includeContent = includeContent
    }

    /// The sink that turns one run's events into spans (`mode`: live, replay, record, mock).
    public func recorder(parent: TraceParent? = nil, mode: String) -> SpanRecorder {
        let exporter = self.exporter
        return SpanRecorder(parent: parent, includeContent: includeContent, mode: mode) { exporter.enqueue($0) }
    }
}
