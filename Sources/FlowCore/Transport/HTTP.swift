/// An HTTP request as adapters build it: plain values, so encoding is testable without a network.
public struct HTTPRequest: Sendable, Equatable {
    /// `GET` or `POST`.
    public var method: String
    /// The whole URL (it may hold a key in its query: redact before printing).
    public var url: String
    /// Header names and values in the order they are sent.
    public var headers: [Header]
    /// The body's bytes (JSON for every provider).
    public var body: [UInt8]

    /// A request as an adapter builds it.
    public init(method: String, url: String, headers: [Header], body: [UInt8]) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The first header named `name`, in any case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// One request header.
public struct Header: Sendable, Equatable {
    /// The header's name as sent.
    public var name: String
    /// Its value (a key, for the credential headers).
    public var value: String

    /// A header.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// An HTTP answer: status, headers and the body read (bounded).
public struct HTTPResponse: Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// Header names lowercased.
    public var headers: [String: String]
    /// The body's bytes; empty for a streamed 2xx answer, whose bytes went to the stream's reader.
    public var body: [UInt8]

    /// An answer.
    public init(status: Int, headers: [String: String] = [:], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Sends one HTTP request. The only networking seam: adapters stay pure, tests inject doubles.
public protocol HTTPTransport: Sendable {
    /// Throws `ProviderError` with kind `.network` when no response arrived.
    func send(_ request: HTTPRequest) async throws(ProviderError) -> HTTPResponse
    /// Sends a request whose answer streams: a 2xx body goes to `onBytes` as it arrives and the
    /// returned response has an empty body; any other status returns its whole body, unstreamed.
    /// `onBytes` may throw to stop the stream.
    func stream(_ request: HTTPRequest, onBytes: @escaping @Sendable ([UInt8]) throws(ProviderError) -> Void) async throws(ProviderError) -> HTTPResponse
}

extension HTTPTransport {
    /// A transport that cannot stream delivers the whole body as one piece.
    public func stream(_ request: HTTPRequest, onBytes: @escaping @Sendable ([UInt8]) throws(ProviderError) -> Void) async throws(ProviderError) -> HTTPResponse {
        var response = try await send(request)
        guard (200..<300).contains(response.status) else { return response }
        try onBytes(response.body)
        response.body = []
        return response
    }
}

/// A transport for code that must not send (checking a workflow's provider rules at load):
/// every request fails, naming why.
struct NoTransport: HTTPTransport {
    func send(_ request: HTTPRequest) async throws(ProviderError) -> HTTPResponse {
        throw ProviderError(.configuration, "nothing is sent while a workflow is checked")
    }
}
