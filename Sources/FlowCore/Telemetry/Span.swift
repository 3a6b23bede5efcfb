/// One OpenTelemetry span as flow exports it, and the OTLP/HTTP JSON body a batch of them makes
/// (opentelemetry-proto's ExportTraceServiceRequest in its JSON mapping: ids as hex, 64-bit
/// times as decimal strings, enums as numbers, as the OTLP specification's JSON encoding says).
public struct Span: Sendable, Equatable {
    public enum Kind: Int, Sendable { case internalSpan = 1, server = 2, client = 3 }
    public enum Attribute: Sendable, Equatable {
        case string(String), int(Int), double(Double), bool(Bool), strings([String])
    }

    public var traceID: String
    public var spanID: String
    public var parentID: String?
    public var name: String
    public var kind: Kind
    public var start: UInt64
    public var end: UInt64
    public var attributes: [(String, Attribute)]
    /// An error's message; nil for a span that ended well.
    public var error: String?

    public static func == (lhs: Span, rhs: Span) -> Bool {
        lhs.traceID == rhs.traceID && lhs.spanID == rhs.spanID && lhs.parentID == rhs.parentID && lhs.name == rhs.name
            && lhs.kind == rhs.kind && lhs.start == rhs.start && lhs.end == rhs.end && lhs.error == rhs.error
            && lhs.attributes.map(\.0) == rhs.attributes.map(\.0) && lhs.attributes.map(\.1) == rhs.attributes.map(\.1)
    }

    public func attribute(_ key: String) -> Attribute? { attributes.first { $0.0 == key }?.1 }

    var json: JSON {
        .object(omittingNil: [
            ("traceId", .string(traceID)),
            ("spanId", .string(spanID)),
            ("parentSpanId", parentID.map(JSON.string)),
            ("name", .string(name)),
            ("kind", .int(kind.rawValue)),
            ("startTimeUnixNano", .string(String(start))),
            ("endTimeUnixNano", .string(String(max(end, start)))),
            ("attributes", Self.attributes(attributes)),
            ("status", error.map { .object([("code", .int(2)), ("message", .string($0))]) } ?? .object([("code", .int(1))])),
        ])
    }

    static func attributes(_ pairs: [(String, Attribute)]) -> JSON {
        .array(pairs.map { key, value in .object([("key", .string(key)), ("value", Self.value(value))]) })
    }

    static func value(_ attribute: Attribute) -> JSON {
        switch attribute {
        case .string(let text): return .object([("stringValue", .string(text))])
        case .int(let number): return .object([("intValue", .string(String(number)))])
        case .double(let number): return .object([("doubleValue", .double(number))])
        case .bool(let flag): return .object([("boolValue", .bool(flag))])
        case .strings(let items): return .object([("arrayValue", .object([("values", .array(items.map { .object([("stringValue", .string($0))]) }))]))])
        }
    }

    /// The body of `POST /v1/traces` for `spans` of one service.
    public static func exportRequest(_ spans: [Span], service: String, resource: [(String, Attribute)] = []) -> JSON {
        .object([("resourceSpans", .array([.object([
            ("resource", .object([("attributes", attributes([("service.name", .string(service))] + resource))])),
            ("scopeSpans", .array([.object([
                ("scope", .object([("name", .string("flow")), ("version", .string(FlowVersion.current))])),
                ("spans", .array(spans.map(\.json))),
            ])])),
        ])]))])
    }
}

/// W3C trace context: `traceparent: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`.
public struct TraceParent: Sendable, Equatable {
    public var traceID: String
    public var spanID: String

    public init(traceID: String, spanID: String) {
        self.traceID = traceID
        self.spanID = spanID
    }

    /// Reads a `traceparent` header; nil for anything malformed or all-zero, as the spec asks.
    public init?(header: String) {
        let parts = header.trimmingWhitespace.split(separator: "-").map(String.init)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
              parts.prefix(4).allSatisfy({ $0.allSatisfy(\.isHexDigit) && $0 == $0.lowercased() }),
              parts[1] != String(repeating: "0", count: 32), parts[2] != String(repeating: "0", count: 16) else { return nil }
        traceID = parts[1]
        spanID = parts[2]
    }

    /// The header value for a child: this trace, `spanID` as the parent, sampled.
    public var header: String { "00-\(traceID)-\(spanID)-01" }
}
