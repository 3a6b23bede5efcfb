import FlowCore

/// An HTTP request a provider adapter made, in the provider's documented wire format.
public struct FlowHTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    /// In the order the adapter set them; names as written.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public static func == (lhs: FlowHTTPRequest, rhs: FlowHTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.headers.map { $0.name + ":" + $0.value } == rhs.headers.map { $0.name + ":" + $0.value }
    }
}

/// The answer to a `FlowHTTPRequest`.
public struct FlowHTTPResponse: Sendable {
    public var status: Int
    /// Header names lowercased.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// How requests reach providers, for an app that routes them itself (a proxy, a test double,
/// its own HTTP client). The default is `URLSession` with flow's timeouts and retries around it.
/// A streamed answer's body may be returned whole; it is parsed the same way.
public protocol FlowTransport: Sendable {
    /// Sends the request; throws when no response arrived (a retryable network failure).
    func send(_ request: FlowHTTPRequest) async throws -> FlowHTTPResponse
}

/// A `FlowTransport` as the interpreter's transport.
struct TransportBridge: HTTPTransport {
    let inner: any FlowTransport

    func send(_ request: HTTPRequest) async throws(ProviderError) -> HTTPResponse {
        let flowRequest = FlowHTTPRequest(method: request.method, url: request.url, headers: request.headers.map { ($0.name, $0.value) }, body: request.body)
        do {
            let response = try await inner.send(flowRequest)
            return HTTPResponse(status: response.status, headers: Dictionary(response.headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a }),
                                body: response.body)
        } catch is CancellationError {
            throw ProviderError(.network, "cancelled")
        } catch {
            throw ProviderError(.network, "the app's transport failed: \(error)")
        }
    }

    func stream(_ request: HTTPRequest, onBytes: @escaping @Sendable ([UInt8]) throws(ProviderError) -> Void) async throws(ProviderError) -> HTTPResponse {
        var response = try await send(request)
        guard (200..<300).contains(response.status) else { return response }
        try onBytes(response.body)
        response.body = []
        return response
    }
}
