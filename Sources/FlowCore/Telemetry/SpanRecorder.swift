import Foundation

/// Turns a run's transcript events into spans as they happen: one for the run, one per step
/// visit, one per provider call (with the OpenTelemetry GenAI semantic conventions: operation,
/// provider, request and response model, temperature, max tokens, token usage, finish reasons)
/// and one per tool call. It is a transcript sink, so it sees exactly what the record sees, and
/// the interpreter knows nothing of tracing. Finished spans go to `export`.
public final class SpanRecorder: TranscriptSink, Sendable {
    struct Open: Sendable {
        var span: Span
    }

    let export: @Sendable (Span) -> Void
    let parent: TraceParent?
    let includeContent: Bool
    let mode: String
    let now: @Sendable () -> UInt64
    private let state = Locked<(run: Open?, steps: [String: Open], calls: [String: Open], tools: [String: Open])>((nil, [:], [:], [:]))

    /// - Parameters:
    ///   - parent: the caller's trace (a `traceparent` header), if any.
    ///   - includeContent: prompts and answers as span attributes (`--otlp-content`), redacted.
    ///   - mode: how answers were got (`live`, `replay`, `record`, `mock`), as `flow.cassette_mode`.
    public init(parent: TraceParent? = nil, includeContent: Bool = false, mode: String = "live",
                now: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1e9) },
                export: @escaping @Sendable (Span) -> Void) {
        self.parent = parent
        self.includeContent = includeContent
        self.mode = mode
        self.now = now
        self.export = export
    }

    /// The run's span id and trace, once the run started: what a child (a tool) is told.
    public var current: TraceParent? {
        state.withLock { state in state.run.map { TraceParent(traceID: $0.span.traceID, spanID: $0.span.spanID) } }
    }

    /// A random id of `bytes` bytes as lowercase hex (String(format:) per byte costs more than
    /// the rest of a span on Linux).
    static func id(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes * 2)
        var word = generator.next()
        for index in 0..<bytes {
            if index % 8 == 0, index > 0 { word = generator.next() }
            let byte = UInt8(truncatingIfNeeded: word >> (UInt64(index % 8) * 8))
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public func record(_ type: EventType, _ fields: [(String, JSON)]) {
        let event = JSON.object(fields)
        let time = now()
        let step = event["step"]?.string ?? ""
        let scope = (event["call"]?.string ?? "") + "|" + (event["item"]?.int.map(String.init) ?? "") + "|" + step
        var finished: [Span] = []
        state.withLock { state in
            func child(_ name: String, kind: Span.Kind, parent: Span?) -> Span {
                Span(traceID: parent?.traceID ?? self.parent?.traceID ?? Self.id(bytes: 16), spanID: Self.id(bytes: 8),
                     parentID: parent?.spanID ?? self.parent?.spanID, name: name, kind: kind, start: time, end: time, attributes: [], error: nil)
            }
            switch type {
            case .runStart:
                var span = child("flow.run " + (event["name"]?.string ?? ""), kind: .internalSpan, parent: nil)
                span.attributes = [("flow.workflow", .string(event["workflow"]?.string ?? "")), ("flow.workflow.name", .string(event["name"]?.string ?? "")),
                                   ("flow.cassette_mode", .string(mode))]
                state.run = Open(span: span)
            case .stepStart:
                var span = child("flow.step " + step, kind: .internalSpan, parent: state.run?.span)
                span.attributes = [("flow.step", .string(step)), ("flow.model", .string(event["model"]?.string ?? ""))]
                if let item = event["item"]?.int { span.attributes.append(("flow.map.item", .int(item))) }
                if let call = event["call"]?.string { span.attributes.append(("flow.call", .string(call))) }
                if let open = state.steps[scope] { finished.append(Self.closed(open.span, at: time)) }
                state.steps[scope] = Open(span: span)
            case .request:
                let model = event["model"]?.string ?? ""
                var span = child("chat " + model, kind: .client, parent: state.steps[scope]?.span ?? state.run?.span)
                let provider = event["provider"]?.string ?? ""
                span.attributes = [("gen_ai.operation.name", .string("chat")),
                                   ("gen_ai.provider.name", .string(["gemini": "gcp.gemini"][provider] ?? provider)),
                                   ("gen_ai.request.model", .string(model)), ("flow.step", .string(step)), ("flow.cassette_mode", .string(mode))]
                if let temperature = event["params"]?["temperature"]?.double { span.attributes.append(("gen_ai.request.temperature", .double(temperature))) }
                if let maxTokens = event["params"]?["max_tokens"]?.int { span.attributes.append(("gen_ai.request.max_tokens", .int(maxTokens))) }
                if let topP = event["params"]?["top_p"]?.double { span.attributes.append(("gen_ai.request.top_p", .double(topP))) }
                if let seed = event["params"]?["seed"]?.int { span.attributes.append(("gen_ai.request.seed", .int(seed))) }
                if includeContent, let messages = event["messages"] { span.attributes.append(("gen_ai.input.messages", .string(messages.redacted.serialized))) }
                if let open = state.calls[scope] { finished.append(Self.closed(open.span, at: time, error: "no answer recorded")) }
                state.calls[scope] = Open(span: span)
            case .response:
                guard var span = state.calls.removeValue(forKey: scope)?.span else { break }
                if let model = event["model"]?.string { span.attributes.append(("gen_ai.response.model", .string(model))) }
                if let reason = event["finish_reason"]?.string { span.attributes.append(("gen_ai.response.finish_reasons", .strings([reason]))) }
                if let input = event["usage"]?["input_tokens"]?.int { span.attributes.append(("gen_ai.usage.input_tokens", .int(input))) }
                if let output = event["usage"]?["output_tokens"]?.int { span.attributes.append(("gen_ai.usage.output_tokens", .int(output))) }
                if let cost = event["cost_usd"]?.double { span.attributes.append(("flow.cost_usd", .double(cost))) }
                if includeContent, let content = event["content"]?.string { span.attributes.append(("gen_ai.output.messages", .string(Redaction.text(content)))) }
                finished.append(Self.closed(span, at: time))
            case .retry:
                if var open = state.calls[scope] {
                    let count = (open.span.attribute("flow.retries").flatMap { if case .int(let n) = $0 { n } else { nil } } ?? 0) + 1
                    open.span.attributes.removeAll { $0.0 == "flow.retries" }
                    open.span.attributes.append(("flow.retries", .int(count)))
                    state.calls[scope] = open
                }
            case .toolCall:
                let name = event["name"]?.string ?? ""
                var span = child("execute_tool " + name, kind: .internalSpan, parent: state.steps[scope]?.span ?? state.run?.span)
                span.attributes = [("gen_ai.operation.name", .string("execute_tool")), ("gen_ai.tool.name", .string(name)),
                                   ("gen_ai.tool.call.id", .string(event["id"]?.string ?? "")), ("flow.step", .string(step))]
                if includeContent, let arguments = event["arguments"] { span.attributes.append(("gen_ai.tool.call.arguments", .string(arguments.redacted.serialized))) }
                state.tools[event["id"]?.string ?? name] = Open(span: span)
            case .toolResult:
                guard let open = state.tools.removeValue(forKey: event["id"]?.string ?? event["name"]?.string ?? "") else { break }
                finished.append(Self.closed(open.span, at: time, error: event["is_error"] == .bool(true) ? "the tool failed" : nil))
            case .error:
                let message = Redaction.text(event["message"]?.string ?? "error")
                if let open = state.calls.removeValue(forKey: scope) { finished.append(Self.closed(open.span, at: time, error: message)) }
                if var open = state.steps[scope] { open.span.error = message; state.steps[scope] = open }
            case .branch:
                guard var span = state.steps.removeValue(forKey: scope)?.span else { break }
                span.attributes.append(("flow.finish_reason", .string(event["finish_reason"]?.string ?? "")))
                span.attributes.append(("flow.action", .string(event["action"]?.string ?? "")))
                finished.append(Self.closed(span, at: time, error: span.error))
            case .runEnd:
                for open in state.calls.values { finished.append(Self.closed(open.span, at: time, error: "the run ended first")) }
                for open in state.tools.values { finished.append(Self.closed(open.span, at: time, error: "the run ended first")) }
                for open in state.steps.values { finished.append(Self.closed(open.span, at: time, error: open.span.error)) }
                state.calls = [:]; state.tools = [:]; state.steps = [:]
                guard var span = state.run?.span else { break }
                let status = event["status"]?.string ?? ""
                span.attributes.append(("flow.status", .string(status)))
                if let cost = event["totals"]?["cost_usd"]?.double { span.attributes.append(("flow.cost_usd", .double(cost))) }
                if let input = event["totals"]?["input_tokens"]?.int { span.attributes.append(("gen_ai.usage.input_tokens", .int(input))) }
                if let output = event["totals"]?["output_tokens"]?.int { span.attributes.append(("gen_ai.usage.output_tokens", .int(output))) }
                finished.append(Self.closed(span, at: time, error: status == "succeeded" ? nil : "the run \(status)"))
                state.run = nil
            default:
                break
            }
        }
        for span in finished { export(span) }
    }

    static func closed(_ span: Span, at time: UInt64, error: String? = nil) -> Span {
        var span = span
        span.end = time
        span.error = error ?? span.error
        return span
    }
}
