import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real transport, over URLSession (libcurl on Linux).
public struct URLSessionTransport: HTTPTransport {
    private let session: URLSession

    /// `timeout` bounds the wait for each request, in seconds.
    public init(timeout: Double = 600) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        session = URLSession(configuration: configuration)
    }

    public func send(_ request: HTTPRequest) async throws(ProviderError) -> HTTPResponse {
        guard let url = URL(string: request.url) else {
            throw ProviderError(.network, "invalid URL '\(request.url)'")
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        for header in request.headers { urlRequest.addValue(header.value, forHTTPHeaderField: header.name) }
        urlRequest.httpBody = Data(request.body)
        do {
            let (data, response) = try await session.data(for: urlRequest)
            guard let http = response as? HTTPURLResponse else {
                throw ProviderError(.network, "no HTTP response from \(Self.origin(of: url))")
            }
            var headers: [String: String] = [:]
            for (name, value) in http.allHeaderFields {
                if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
            }
            return HTTPResponse(status: http.statusCode, headers: headers, body: [UInt8](data))
        } catch let error as ProviderError {
            throw error
        } catch {
            // The message names the host only: a URL could carry a key in its query.
            throw ProviderError(.network, "could not reach \(Self.origin(of: url)): \(error.localizedDescription)")
        }
    }

    static func origin(of url: URL) -> String {
        var origin = (url.scheme ?? "http") + "://" + (url.host ?? "")
        if let port = url.port { origin += ":\(port)" }
        return origin
    }
}
