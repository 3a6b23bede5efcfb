/// Wraps a transport and tells `log` about every request and answer, with secrets removed:
/// what `flow run --verbose` prints.
public struct LoggingTransport: HTTPTransport {
    let inner: any HTTPTransport
    let log: @Sendable (String) -> Void

    /// A transport that logs through `log` and sends through `inner`.
    public init(_ inner: any HTTPTransport, log: @escaping @Sendable (String) -> Void) {
        self.inner = inner
        self.log = log
    }

    /// Logs the request, sends it, logs the answer (both redacted).
    public func send(_ request: HTTPRequest) async throws(ProviderError) -> HTTPResponse {
        log(Redaction.describe(request))
        do {
            let response = try await inner.send(request)
            log("← HTTP \(response.status), \(response.body.count) bytes\n" + Redaction.text(String(decoding: response.body.prefix(4096), as: UTF8.self)))
            return response
        } catch {
            log("← \(error.description)")
            throw error
        }
    }

    /// Logs the request, streams it, logs the status.
    public func stream(_ request: HTTPRequest, onBytes: @escaping @Sendable ([UInt8]) throws(ProviderError) -> Void) async throws(ProviderError) -> HTTPResponse {
        log(Redaction.describe(request) + "\n(streamed)")
        do {
            let response = try await inner.stream(request, onBytes: onBytes)
            log("← HTTP \(response.status) (streamed)")
            return response
        } catch {
            log("← \(error.description)")
            throw error
        }
    }
}

/// Removes secrets from what is shown: key headers, key parameters in URLs. Pure.

/// The redaction of HTTP values, beside the transport that logs them.
extension Redaction {
    /// Headers whose values are credentials.
    static let secretHeaders: Set<String> = ["authorization", "x-api-key", "x-goog-api-key", "api-key", "proxy-authorization"]

    /// `header` with its value replaced when it carries a credential.
    public static func header(_ header: Header) -> Header {
        secretHeaders.contains(header.name.lowercased()) ? Header(header.name, marker) : header
    }

    /// The request as a log shows it: method, URL, headers and body, secrets removed.
    public static func describe(_ request: HTTPRequest) -> String {
        var out = "→ \(request.method) \(url(request.url))\n"
        for header in request.headers.map(header) { out += "  \(header.name): \(header.value)\n" }
        out += text(String(decoding: request.body.prefix(4096), as: UTF8.self))
        if request.body.count > 4096 { out += "… (\(request.body.count) bytes)" }
        return out
    }
}
