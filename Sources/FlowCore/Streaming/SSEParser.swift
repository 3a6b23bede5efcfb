/// One server-sent event.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field; "message" when the stream names none.
    public var name: String
    /// The `data:` lines joined with "\n".
    public var data: String

    /// An event named `name` carrying `data`.
    public init(name: String = "message", data: String) {
        self.name = name
        self.data = data
    }
}

/// An incremental parser for `text/event-stream` (the HTML spec's rules): LF, CRLF or CR line
/// ends, `:` comments, multi-line `data:`, one optional space after the colon, an event per
/// blank line. Bytes may arrive split anywhere, even inside a CRLF or a UTF-8 sequence.
public struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var eventName = ""
    private var data: [String] = []
    private var hasData = false
    /// Bounds one line, so a stream that never sends a line break cannot grow without end.
    public var maxLineBytes = 16 << 20

    /// A parser at the start of a stream.
    public init() {}

    /// The events completed by `bytes`. Throws when a line grows past `maxLineBytes`.
    public mutating func feed<Bytes: Sequence<UInt8>>(_ bytes: Bytes) throws(ProviderError) -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            if lastWasCR {
                lastWasCR = false
                if byte == 0x0A { continue }  // the LF of a CRLF
            }
            if byte == 0x0A || byte == 0x0D {
                lastWasCR = byte == 0x0D
                if let event = endLine() { events.append(event) }
            } else {
                line.append(byte)
                if line.count > maxLineBytes {
                    throw ProviderError(.decode, "a server-sent event line is longer than \(maxLineBytes) bytes")
                }
            }
        }
        return events
    }

    /// The event left when the stream ends without a final blank line, if any.
    public mutating func finish() -> SSEEvent? {
        if !line.isEmpty { _ = endLine() }
        return dispatch()
    }

    private mutating func endLine() -> SSEEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty { return dispatch() }
        if line.first == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let field = String(decoding: line[..<(colon ?? line.endIndex)], as: UTF8.self)
        var valueStart = colon.map { $0 + 1 } ?? line.endIndex
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = String(decoding: line[valueStart...], as: UTF8.self)
        switch field {
        case "event": eventName = value
        case "data":
            data.append(value)
            hasData = true
        default: break  // id, retry and unknown fields do not change the payload
        }
        return nil
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            eventName = ""
            data = []
            hasData = false
        }
        guard hasData else { return nil }
        return SSEEvent(name: eventName.isEmpty ? "message" : eventName, data: data.joined(separator: "\n"))
    }
}
