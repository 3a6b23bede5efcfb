import Foundation
import FlowCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loopback HTTP/1.1 server on POSIX sockets for transport and end-to-end tests. It binds
/// 127.0.0.1 on an ephemeral port, answers each request with the handler's response, closes the
/// connection, and keeps every request for assertions. It never listens beyond loopback.
public final class StubServer: Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// Header names lowercased.
        public var headers: [String: String]
        public var body: [UInt8]

        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
        /// Seconds to wait before answering, to simulate a slow provider.
        public var delay: Double
        /// Send only this many bytes of the body, then close: a connection cut mid-answer.
        public var cutAfter: Int?
        /// Send only this many bytes of the body, then hold the connection open this many seconds:
        /// a stream that never ends.
        public var stall: (bytes: Int, seconds: Double)?

        public init(status: Int = 200, headers: [(String, String)] = [("Content-Type", "application/json")],
                    body: String, delay: Double = 0, cutAfter: Int? = nil) {
            self.status = status
            self.headers = headers
            self.body = Array(body.utf8)
            self.delay = delay
            self.cutAfter = cutAfter
        }

        /// Sent instead of everything above, byte for byte, then the connection closes: a
        /// malformed answer (a bad chunked encoding, a header of a megabyte).
        public var raw: [UInt8]?
        /// The body's bytes sent again and again, with no Content-Length, until the client hangs
        /// up or `maxBytes` have gone: a stream that never ends, as fast as the socket allows.
        public var flood: (chunk: [UInt8], maxBytes: Int)?
        /// Seconds between the flood's chunks: 0 for as fast as the socket allows, more for a
        /// stream that outlasts a timeout before it reaches a size cap.
        public var floodInterval = 0.0

        /// A `text/event-stream` answer.
        public static func events(_ body: String, cutAfter: Int? = nil) -> Response {
            Response(headers: [("Content-Type", "text/event-stream")], body: body, cutAfter: cutAfter)
        }
    }

    public typealias Handler = @Sendable (Request) -> Response

    public let port: UInt16
    /// Keep connections open between requests (as providers do) instead of closing each.
    public let keepAlive: Bool
    private let listener: Int32
    private let handler: Handler
    /// The requests so far, and whether `stop` was called: written by connection threads.
    private let state = Locked<(received: [Request], stopped: Bool)>(([], false))

    /// Starts listening at once; throws when the socket cannot be bound.
    public init(keepAlive: Bool = false, handler: @escaping Handler) throws {
        self.handler = handler
        self.keepAlive = keepAlive
        let (fd, port) = try LoopbackSocket.bind()
        guard listen(fd, 64) == 0 else {
            close(fd)
            throw StubServerError.socket(errno)
        }
        listener = fd
        self.port = port
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// `http://127.0.0.1:PORT`
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The requests received so far, in arrival order.
    public var requests: [Request] { state.current.received }

    public func stop() {
        let wasStopped = state.withLock { state -> Bool in
            defer { state.stopped = true }
            return state.stopped
        }
        guard !wasStopped else { return }
        // Only wake the accept thread here; it closes the socket itself. Closing from this
        // thread would free the descriptor number while the accept thread may still be about
        // to call accept() on it, and it would then serve another test's server.
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private var isStopped: Bool { state.current.stopped }

    private func acceptLoop() {
        defer { close(listener) }
        while !isStopped {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            if isStopped {
                close(client)
                return
            }
            let connection = Thread { [self] in serve(client) }
            connection.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        // With keep-alive the connection serves requests until the client closes it, as real
        // providers do; otherwise one request per connection.
        while let request = readRequest(client) {
            state.withLock { $0.received.append(request) }
            let response = handler(request)
            if response.delay > 0 { Thread.sleep(forTimeInterval: response.delay) }
            if let raw = response.raw {
                writeAll(client, raw)
                return
            }
            if let flood = response.flood {
                var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
                for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
                writeAll(client, Array((head + "Connection: close\r\n\r\n").utf8))
                var sent = 0
                // Bounded: the client hangs up (a write fails) or maxBytes have gone.
                while sent < flood.maxBytes, writeAll(client, flood.chunk) {
                    sent += flood.chunk.count
                    if response.floodInterval > 0 { Thread.sleep(forTimeInterval: response.floodInterval) }
                }
                return
            }
            let reuse = keepAlive && response.cutAfter == nil
            var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
            for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
            head += "Content-Length: \(response.body.count)\r\nConnection: \(reuse ? "keep-alive" : "close")\r\n\r\n"
            // Content-Length always promises the whole body, so a cut is a premature close.
            if let stall = response.stall {
                writeAll(client, Array(head.utf8) + response.body.prefix(stall.bytes))
                Thread.sleep(forTimeInterval: stall.seconds)
                return
            }
            writeAll(client, Array(head.utf8) + response.body.prefix(response.cutAfter ?? response.body.count))
            if !reuse { return }
        }
    }

    private func readRequest(_ client: Int32) -> Request? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var headerEnd: Int?
        var contentLength = 0
        while true {
            if let end = headerEnd, data.count >= end + contentLength { break }
            let count = read(client, &buffer, buffer.count)
            guard count > 0 else { return nil }
            data.append(contentsOf: buffer[0..<count])
            if headerEnd == nil, let end = Self.find([13, 10, 13, 10], in: data) {
                headerEnd = end + 4
                let head = String(decoding: data[0..<end], as: UTF8.self)
                for line in head.split(separator: "\r\n").dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "content-length" {
                        contentLength = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                }
            }
        }
        guard let end = headerEnd else { return nil }
        let lines = String(decoding: data[0..<(end - 4)], as: UTF8.self).split(separator: "\r\n")
        let requestLine = lines.first?.split(separator: " ") ?? []
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return Request(method: requestLine.first.map(String.init) ?? "",
                       path: requestLine.count > 1 ? String(requestLine[1]) : "",
                       headers: headers, body: Array(data[end..<(end + contentLength)]))
    }

    /// Returns false when the client has gone.
    @discardableResult
    private func writeAll(_ client: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a client that already hung up (a timeout test) must not kill the process with SIGPIPE.
            let written = bytes[offset...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return start
        }
        return nil
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}

public enum StubServerError: Error {
    case socket(Int32)
}

/// A loopback port that is bound but not listening: connections to it are refused, and no other
/// server can take it while this value lives.
public final class RefusingPort: Sendable {
    public let port: UInt16
    private let socketDescriptor: Int32

    public init() throws {
        (socketDescriptor, port) = try LoopbackSocket.bind()
    }

    deinit { close(socketDescriptor) }

    public var baseURL: String { "http://127.0.0.1:\(port)" }
}

#if canImport(Glibc)
private let systemBind = Glibc.bind
#else
private let systemBind = Darwin.bind
#endif

/// A TCP socket bound to 127.0.0.1 on a port the system picks.
enum LoopbackSocket {
    static func bind() throws -> (Int32, UInt16) {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw StubServerError.socket(errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { systemBind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw StubServerError.socket(errno)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }
}
