/// HTTP/1.1 as `flow serve` speaks it, parsed from bytes with no I/O, so every limit is tested
/// without a socket: a request line, headers (at most `maxHeaderBytes`), and a body of
/// `Content-Length` bytes (at most `maxBodyBytes`; chunked bodies are refused with 411, which
/// HTTP/1.1 allows a server to require). Keep-alive is the default; `Connection: close` ends it.
public struct ServeRequest: Sendable, Equatable {
    public var method: String
    /// The path without the query.
    public var path: String
    public var query: String
    /// Header names lowercased; a repeated header keeps its first value.
    public var headers: [String: String]
    public var body: [UInt8]

    /// Whether the client keeps the connection open after this request.
    public var keepAlive: Bool { headers["connection"]?.lowercased() != "close" }

    public init(method: String, path: String, query: String = "", headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// The outcome of reading bytes received so far.
public enum ServeParse: Sendable, Equatable {
    /// The request is not complete yet.
    case needMore
    /// A request, and how many bytes of the buffer it took.
    case request(ServeRequest, consumed: Int)
    /// A request the server refuses before reading more: answer `status` and close.
    case refuse(status: Int, message: String)
}

public struct ServeLimits: Sendable {
    public var maxHeaderBytes = 16 << 10
    public var maxBodyBytes = 1 << 20

    public init(maxHeaderBytes: Int = 16 << 10, maxBodyBytes: Int = 1 << 20) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }
}

public enum ServeHTTP {
    /// Reads one request from the start of `buffer`.
    public static func parse(_ buffer: [UInt8], limits: ServeLimits) -> ServeParse {
        guard let end = headerEnd(buffer) else {
            return buffer.count > limits.maxHeaderBytes ? .refuse(status: 431, message: "the request's headers are over \(limits.maxHeaderBytes) bytes") : .needMore
        }
        guard end <= limits.maxHeaderBytes else { return .refuse(status: 431, message: "the request's headers are over \(limits.maxHeaderBytes) bytes") }
        let head = String(decoding: buffer[..<end], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else { return .refuse(status: 400, message: "not an HTTP/1.1 request line") }
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return .refuse(status: 400, message: "a header line without ':'") }
            let name = line[..<colon].lowercased()
            guard !name.isEmpty, !name.contains(" ") else { return .refuse(status: 400, message: "a malformed header name") }
            if headers[name] == nil { headers[name] = String(line[line.index(after: colon)...]).trimmingWhitespace }
        }
        if headers["transfer-encoding"] != nil { return .refuse(status: 411, message: "send the body with Content-Length (chunked bodies are not read)") }
        var length = 0
        if let text = headers["content-length"] {
            guard let value = Int(text), value >= 0 else { return .refuse(status: 400, message: "Content-Length is not a number") }
            length = value
        }
        guard length <= limits.maxBodyBytes else { return .refuse(status: 413, message: "the body is \(length) bytes, over the limit of \(limits.maxBodyBytes)") }
        let bodyStart = end + 4
        guard buffer.count >= bodyStart + length else { return .needMore }
        let target = String(requestLine[1])
        let (path, query) = target.firstIndex(of: "?").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) } ?? (target, "")
        return .request(ServeRequest(method: String(requestLine[0]), path: path, query: query, headers: headers,
                                     body: Array(buffer[bodyStart..<(bodyStart + length)])), consumed: bodyStart + length)
    }

    /// The index of the blank line ending the headers (`\r\n\r\n`), if received.
    static func headerEnd(_ buffer: [UInt8]) -> Int? {
        guard buffer.count >= 4 else { return nil }
        var index = 0
        while index + 3 < buffer.count {
            if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 { return index }
            index += 1
        }
        return nil
    }

    /// A whole response: status line, headers, body.
    public static func response(status: Int, headers: [(String, String)] = [], body: [UInt8], keepAlive: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(reason(status))\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n"
        head += keepAlive ? "" : "Connection: close\r\n"
        head += "\r\n"
        return Array(head.utf8) + body
    }

    /// The head of a response whose body streams until the connection closes (SSE).
    public static func streamHead(headers: [(String, String)]) -> [UInt8] {
        var head = "HTTP/1.1 200 OK\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Connection: close\r\n\r\n"
        return Array(head.utf8)
    }

    /// A JSON error body: `{"error": {"status": …, "message": …}}`.
    public static func error(_ status: Int, _ message: String, keepAlive: Bool, headers: [(String, String)] = []) -> [UInt8] {
        let body = JSON.object([("error", .object([("status", .int(status)), ("message", .string(message))]))]).serialized + "\n"
        return response(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(body.utf8), keepAlive: keepAlive)
    }

    static func reason(_ status: Int) -> String {
        [200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout",
         411: "Length Required", 413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
         429: "Too Many Requests", 431: "Request Header Fields Too Large", 500: "Internal Server Error", 502: "Bad Gateway",
         503: "Service Unavailable"][status] ?? "Status"
    }
}
