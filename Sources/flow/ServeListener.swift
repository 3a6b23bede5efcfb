import Foundation
import FlowCore

/// The sockets of `flow serve`: one thread accepts, one thread per connection reads requests
/// (keep-alive), hands each to `handle` and writes what it answers. A slow client is bounded by
/// the socket's receive and send timeouts; connections beyond `maxConnections` are answered 503
/// and closed, so a flood of sockets cannot take every thread.
final class ServeListener: @unchecked Sendable {
    /// What a connection does with a request: write the answer itself (`write`) and say whether
    /// the connection may carry another request.
    typealias Handler = @Sendable (_ request: ServeRequest, _ peer: String, _ write: (_ bytes: [UInt8]) -> Bool) -> Bool

    let port: UInt16
    private let listener: Int32
    private let handler: Handler
    private let limits: ServeLimits
    private let maxConnections: Int
    private let idleSeconds: Int
    private let state = Locked<(open: Int, stopping: Bool, sockets: Set<Int32>)>((0, false, []))

    /// Binds `host:port` (port 0: any free port) and starts accepting.
    init(host: String, port: UInt16, limits: ServeLimits, maxConnections: Int, idleSeconds: Int, handler: @escaping Handler) throws {
        self.handler = handler
        self.limits = limits
        self.maxConnections = maxConnections
        self.idleSeconds = idleSeconds
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ServeError("cannot open a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw ServeError("'\(host)' is not an IPv4 address (use 127.0.0.1, or 0.0.0.0 for every interface)")
        }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 512) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ServeError("cannot listen on \(host):\(port): \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        self.port = UInt16(bigEndian: actual.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Stops accepting; connections finish the request they are serving, then close.
    func stopAccepting() {
        let sockets = state.withLock { state -> Set<Int32> in
            state.stopping = true
            return state.sockets
        }
        shutdown(listener, Int32(SHUT_RDWR))
        // Idle keep-alive connections are waiting in read: wake them so they close now.
        for socket in sockets { shutdown(socket, Int32(SHUT_RD)) }
    }

    /// Connections open now.
    var openConnections: Int { state.withLock { $0.open } }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            var peerAddress = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let client = withUnsafeMutablePointer(to: &peerAddress) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener, $0, &length) } }
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            var addressCopy = peerAddress.sin_addr
            inet_ntop(AF_INET, &addressCopy, &text, socklen_t(INET_ADDRSTRLEN))
            let peer = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let admitted = state.withLock { state -> Bool in
                guard !state.stopping, state.open < maxConnections else { return false }
                state.open += 1
                state.sockets.insert(client)
                return true
            }
            guard admitted else {
                let busy = ServeHTTP.error(503, "the server has \(maxConnections) connections open; try again", keepAlive: false, headers: [("Retry-After", "1")])
                _ = Self.writeAll(client, busy)
                close(client)
                if state.withLock({ $0.stopping }) { return }
                continue
            }
            var timeout = timeval(tv_sec: idleSeconds, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var yes: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in serve(client, peer: peer) }
            thread.stackSize = 512 << 10
            thread.start()
        }
    }

    private func serve(_ client: Int32, peer: String) {
        defer {
            state.withLock { state in
                state.open -= 1
                state.sockets.remove(client)
            }
            close(client)
        }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            switch ServeHTTP.parse(buffer, limits: limits) {
            case .refuse(let status, let message):
                _ = Self.writeAll(client, ServeHTTP.error(status, message, keepAlive: false))
                return
            case .request(let request, let consumed):
                buffer.removeFirst(consumed)
                let again = handler(request, peer) { bytes in Self.writeAll(client, bytes) }
                guard again, request.keepAlive, !state.withLock({ $0.stopping }) else { return }
                continue
            case .needMore:
                break
            }
            let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count <= 0 {
                // A client that started a request and went quiet gets a 408; an idle one just closes.
                if count < 0, errno == EAGAIN || errno == EWOULDBLOCK, !buffer.isEmpty {
                    _ = Self.writeAll(client, ServeHTTP.error(408, "the request did not arrive within \(idleSeconds) s", keepAlive: false))
                }
                return
            }
            buffer += chunk[0..<count]
        }
    }

    static func writeAll(_ client: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 {
                if written < 0, errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}

struct ServeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
