/// Wraps a transport and tells `log` about every request and answer, with secrets removed:
/// what `flow run --verbose` prints.
public struct LoggingTransport: HTTPTransport {
    let inner: any HTTPTransport
    let log: @Sendable (String) -> Void

    public init(_ inner: any HTTPTransport, log: @escaping @Sendable (String) -> Void) {
        self.inner = inner
        self.log = log
    }

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
public enum Redaction {
    /// Headers whose values are credentials.
    static let secretHeaders: Set<String> = ["authorization", "x-api-key", "x-goog-api-key", "api-key", "proxy-authorization"]

    public static func header(_ header: Header) -> Header {
        secretHeaders.contains(header.name.lowercased()) ? Header(header.name, "[redacted]") : header
    }

    /// A URL with the values of `key=` and `api_key=`-like query parameters replaced.
    public static func url(_ url: String) -> String {
        guard let question = url.firstIndex(of: "?") else { return url }
        let query = url[url.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map { part -> String in
            let pieces = part.split(separator: "=", maxSplits: 1)
            guard pieces.count == 2 else { return String(part) }
            let name = pieces[0].lowercased()
            return name == "key" || name.contains("api_key") || name.contains("apikey") || name.contains("token") ? "\(pieces[0])=[redacted]" : String(part)
        }
        return String(url[...question]) + query.joined(separator: "&")
    }

    /// A body or message with anything shaped like a provider key replaced.
    public static func text(_ text: String) -> String {
        var out = ""
        for token in text.split(separator: " ", omittingEmptySubsequences: false) {
            if !out.isEmpty { out += " " }
            let word = String(token)
            let looksLikeKey = (word.hasPrefix("sk-") || word.hasPrefix("AIza")) && word.count >= 20
            out += looksLikeKey ? "[redacted]" : word
        }
        return out
    }

    public static func describe(_ request: HTTPRequest) -> String {
        var out = "→ \(request.method) \(url(request.url))\n"
        for header in request.headers.map(header) { out += "  \(header.name): \(header.value)\n" }
        out += text(String(decoding: request.body.prefix(4096), as: UTF8.self))
        if request.body.count > 4096 { out += "… (\(request.body.count) bytes)" }
        return out
    }
}
