import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real transport, over URLSession (libcurl on Linux). It enforces a total timeout itself:
/// `timeoutIntervalForResource` is ignored on Linux, so a server that trickles bytes forever
/// would otherwise hold a run forever.
public struct URLSessionTransport: HTTPTransport {
    /// Seconds one request may take from start to last byte, retries not included.
    public let timeout: Double
    /// The largest answer read: a provider (or a proxy) sending more is cut off with an error.
    public let maxResponseBytes: Int

    /// One session for every request, so connections are reused (keep-alive) across calls; its
    /// delegate (the router) hands each task's events to that request's own handler. Made by the
    /// first request, not here: a session starts libcurl, which an installed flow loads only
    /// when a request goes on the wire, and the router is Foundation's first NSObject (a mock or
    /// replayed run pays for neither).
    private let session: Locked<(URLSession, SessionRouter)?>

    /// A transport with a total `timeout` per request and answers capped at `maxResponseBytes`.
    public init(timeout: Double = 600, maxResponseBytes: Int = 64 << 20) {
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        session = Locked(nil)
    }

    /// The shared session and its router, made on first use.
    private func sharedSession() -> (URLSession, SessionRouter) {
        let timeout = self.timeout
        return session.withLock { session in
            if let session { return session }
            let router = SessionRouter()
            let made = (URLSession(configuration: Self.configuration(timeout: timeout), delegate: router, delegateQueue: nil), router)
            session = made
            return made
        }
    }

    /// URLSession's own timeouts sit past flow's, so the total timeout is the one that fires
    /// and its message is the one users see.
    static func configuration(timeout: Double) -> URLSessionConfiguration {
        let configuration = URLSessionConfiguration.ephemeral
        // The default (6) would cap `flow test -j 64` at six requests in flight.
        configuration.httpMaximumConnectionsPerHost = 256
        configuration.timeoutIntervalForRequest = timeout + 5
        configuration.timeoutIntervalForResource = timeout + 5
        return configuration
    }

    /// Reads the whole answer, through the same delegate as streaming so its size is bounded.
    public func send(_ request: HTTPRequest) async throws(ProviderError) -> HTTPResponse {
        let body = BodyBuffer(limit: maxResponseBytes)
        var response = try await stream(request) { bytes throws(ProviderError) in try body.append(bytes) }
        if (200..<300).contains(response.status) { response.body = body.bytes }
        return response
    }

    /// Sends `request`; a 2xx body goes to `onBytes` as it arrives, checked as it comes.
    public func stream(_ request: HTTPRequest, onBytes: @escaping @Sendable ([UInt8]) throws(ProviderError) -> Void) async throws(ProviderError) -> HTTPResponse {
        let urlRequest = try Self.urlRequest(request)
        let origin = Self.origin(of: urlRequest.url!)
        let timeout = self.timeout
        let maxResponseBytes = self.maxResponseBytes
        let (session, router) = sharedSession()
        let response = try await Self.withTimeout(timeout, origin: origin) {
            let delegate = StreamDelegate(origin: origin, limit: maxResponseBytes, deadline: Date().addingTimeInterval(timeout),
                                          timeout: timeout, onBytes: onBytes)
            let task = session.dataTask(with: urlRequest)
            router.register(task, delegate)
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    delegate.start(task, continuation: continuation)
                }
            } onCancel: {
                // Answered now: URLSession completes a cancelled task only after the chunks
                // already queued for the delegate, which a fast server makes many.
                delegate.fail(CancellationError())
                task.cancel()
            }
        }
        if (300..<400).contains(response.status) {
            let location = response.headers["location"].map { " to \(Redaction.url($0))" } ?? ""
            throw ProviderError(.http, "\(origin) answered HTTP \(response.status) with a redirect\(location); flow does not follow "
                                + "redirects for API calls, so a key never goes to another address: set the base URL to the final address",
                                status: response.status)
        }
        return response
    }

    /// Runs `work`, or fails with a retryable network error once `seconds` have passed.
    static func withTimeout<T: Sendable>(_ seconds: Double, origin: String,
                                         _ work: @escaping @Sendable () async throws -> T) async throws(ProviderError) -> T {
        do {
            return try await withThrowingTaskGroup(of: T.self) { group in
                group.addTask { try await work() }
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
                    throw ProviderError(.network, "no complete answer from \(origin) within \(Self.format(seconds)) s (the total timeout)",
                                        retryable: true)
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        } catch let error as ProviderError {
            throw error
        } catch {
            throw networkError(error, origin: origin)
        }
    }

    static func urlRequest(_ request: HTTPRequest) throws(ProviderError) -> URLRequest {
        guard let url = URL(string: request.url), url.scheme == "http" || url.scheme == "https" else {
            throw ProviderError(.configuration, "invalid URL '\(Redaction.url(request.url))'")
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        for header in request.headers { urlRequest.addValue(header.value, forHTTPHeaderField: header.name) }
        // Compressed answers are refused (StreamDelegate): a small gzip body can decompress to
        // gigabytes faster than any check after it, so flow asks for none.
        urlRequest.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        urlRequest.httpBody = Data(request.body)
        return urlRequest
    }

    static func response(_ response: URLResponse, body: [UInt8], origin: String) throws(ProviderError) -> HTTPResponse {
        guard let http = response as? HTTPURLResponse else {
            throw ProviderError(.network, "no HTTP response from \(origin)", retryable: true)
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return HTTPResponse(status: http.statusCode, headers: headers, body: body)
    }

    /// The message names the host only: a URL could carry a key in its query.
    /// Says what went wrong at the network level in words a user can act on: a refused
    /// connection is not a cut-off answer, and neither is a malformed one.
    static func networkError(_ error: Error, origin: String) -> ProviderError {
        let code = (error as? URLError)?.code
        let detail = error.localizedDescription
        switch code {
        case .cannotConnectToHost?:
            return ProviderError(.network, "could not connect to \(origin): the connection was refused", retryable: true,
                                 cause: .connectionRefused)
        case .networkConnectionLost?:
            return ProviderError(.network, "\(origin) closed the connection before the answer was complete", retryable: true)
        case .badServerResponse?, .cannotParseResponse?, .cannotDecodeContentData?, .cannotDecodeRawData?:
            return ProviderError(.network, "\(origin) sent a malformed HTTP answer (\(detail)): a bad chunked encoding, a "
                                 + "truncated body or oversized headers", retryable: true)
        default:
            // libcurl's words, which URLError on Linux does not give a code of their own.
            if detail.localizedCaseInsensitiveContains("transfer closed") {
                return ProviderError(.network, "\(origin) closed the connection before the answer was complete (\(detail))", retryable: true)
            }
            if detail.localizedCaseInsensitiveContains("chunked") {
                return ProviderError(.network, "\(origin) sent a malformed chunked body (\(detail))", retryable: true)
            }
            if detail.localizedCaseInsensitiveContains("out of memory") {
                // libcurl's word for a header line or response it refused to buffer.
                return ProviderError(.network, "\(origin) sent an HTTP answer too large to read (libcurl: \(detail)), most "
                                     + "likely an oversized header", retryable: false)
            }
            return ProviderError(.network, "could not reach \(origin): \(detail)", retryable: true)
        }
    }

    static func origin(of url: URL) -> String {
        var origin = (url.scheme ?? "http") + "://" + (url.host ?? "")
        if let port = url.port { origin += ":\(port)" }
        return origin
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}

/// The shared session's delegate: routes each task's events to the handler of its request.
final class SessionRouter: NSObject, URLSessionDataDelegate, Sendable {
    private let handlers = Locked<[Int: StreamDelegate]>([:])

    func register(_ task: URLSessionTask, _ handler: StreamDelegate) {
        handlers.withLock { $0[task.taskIdentifier] = handler }
    }

    private func handler(_ task: URLSessionTask, remove: Bool = false) -> StreamDelegate? {
        handlers.withLock { remove ? $0.removeValue(forKey: task.taskIdentifier) : $0[task.taskIdentifier] }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let handler = handler(dataTask) else { return completionHandler(.cancel) }
        handler.urlSession(session, dataTask: dataTask, didReceive: response, completionHandler: completionHandler)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        handler(dataTask)?.urlSession(session, dataTask: dataTask, didReceive: data)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        handler(task, remove: true)?.urlSession(session, task: task, didCompleteWithError: error)
    }

    /// Redirects are never followed: the request carries a key in its headers, and a redirect
    /// (to another host, scheme or port, or the same) would send it there. The 3xx answer
    /// itself comes back, and the transport reports it.
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}

/// Receives a streamed response for `URLSessionTransport.stream` (Linux has no `bytes(for:)`).
///
/// Bounded in time and memory however fast the bytes come. libcurl reads ahead of the delegate:
/// each chunk it reads becomes an operation on the session's delegate queue, with no back
/// pressure, so a delegate that parses as it receives lets a fast server queue gigabytes before
/// the size check runs (3 GB for a loopback flood). Here the delegate callback only counts the
/// chunk, and hands it to a serial queue of this request's own, where `onBytes` runs; what waits
/// there is at most the cap, since a chunk is counted before it is queued. The caller is
/// answered the moment the answer fails (the cap, the deadline, a consumer error) or the
/// request is cancelled, not when URLSession gets round to completing the task.
///
/// `start` comes from the caller's task and the callbacks from URLSession's queue, so what
/// changes lives in one `Locked` value; `onBytes` runs outside the lock.
final class StreamDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private let origin: String
    /// The most bytes one answer may have, streamed or not, counted as they arrive.
    private let limit: Int
    /// The total timeout, checked as bytes arrive too.
    private let deadline: Date
    private let timeout: Double
    private let onBytes: @Sendable ([UInt8]) throws(ProviderError) -> Void
    /// Where `onBytes` runs, in arrival order, off URLSession's delegate queue.
    private let deliveries = DispatchQueue(label: "flow.transport.deliveries")

    private struct State {
        var arriving: ArrivingBody
        var continuation: CheckedContinuation<HTTPResponse, Error>?
        var response: HTTPResponse?
        var failure: ProviderError?
        /// Answered already (or abandoned before it started): later events change nothing.
        var settled = false
    }

    private let state: Locked<State>

    init(origin: String, limit: Int, deadline: Date, timeout: Double, onBytes: @escaping @Sendable ([UInt8]) throws(ProviderError) -> Void) {
        self.origin = origin
        self.limit = limit
        self.deadline = deadline
        self.timeout = timeout
        self.onBytes = onBytes
        state = Locked(State(arriving: ArrivingBody(limit: limit)))
    }

    func start(_ task: URLSessionDataTask, continuation: CheckedContinuation<HTTPResponse, Error>) {
        let abandoned = state.withLock { state -> Bool in
            if state.settled { return true }
            state.continuation = continuation
            return false
        }
        if abandoned { return continuation.resume(throwing: CancellationError()) }
        task.resume()
    }

    /// Answers the caller with `error` now, if it has not been answered; later events are ignored.
    func fail(_ error: any Error) {
        let continuation = state.withLock { state -> CheckedContinuation<HTTPResponse, Error>? in
            if let failure = error as? ProviderError, state.failure == nil { state.failure = failure }
            state.settled = true
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(throwing: error)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let origin = self.origin
        var refusal: ProviderError?
        state.withLock { state in
            do throws(ProviderError) {
                state.response = try URLSessionTransport.response(response, body: [], origin: origin)
            } catch {
                refusal = error
            }
            if refusal == nil { refusal = ArrivingBody.refusal(contentEncoding: state.response?.headers["content-encoding"], origin: origin) }
        }
        if let refusal {
            fail(refusal)
            return completionHandler(.cancel)
        }
        completionHandler(.allow)
    }

    /// What to do with a chunk: pass it on (a 2xx body), keep it (an error body, or ignored), or fail.
    private enum Chunk { case pass, keep, fail(ProviderError) }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let (origin, limit, deadline, timeout) = (self.origin, self.limit, self.deadline, self.timeout)
        let decision = state.withLock { state -> Chunk in
            guard !state.settled, let status = state.response?.status else { return .keep }
            if !state.arriving.accept(data.count) {
                return .fail(ProviderError(.decode, "the answer from \(origin) is larger than \(limit) bytes; flow stopped reading it"))
            }
            if Date() > deadline {
                return .fail(ProviderError(.network, "no complete answer from \(origin) within \(URLSessionTransport.format(timeout)) s "
                                           + "(the total timeout)", retryable: true))
            }
            if (200..<300).contains(status) { return .pass }
            // An error body is kept whole (it is bounded above) for the adapter to decode.
            state.response?.body.append(contentsOf: data)
            return .keep
        }
        switch decision {
        case .fail(let error):
            fail(error)
            dataTask.cancel()
        case .pass:
            deliveries.async { self.deliver(data, dataTask) }
        case .keep:
            break
        }
    }

    /// Runs `onBytes` on one chunk, unless the answer has already failed.
    private func deliver(_ data: Data, _ task: URLSessionDataTask) {
        guard !state.withLock({ $0.settled }) else { return }
        do {
            try onBytes([UInt8](data))
        } catch {
            fail(error)
            task.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        // After every chunk queued before it has been delivered.
        deliveries.async { self.complete(error) }
    }

    private func complete(_ error: Error?) {
        let origin = self.origin
        let finished = state.withLock { state -> (CheckedContinuation<HTTPResponse, Error>, Result<HTTPResponse, Error>)? in
            guard !state.settled, let continuation = state.continuation else { return nil }
            state.settled = true
            state.continuation = nil
            if let failure = state.failure { return (continuation, .failure(failure)) }
            if let error { return (continuation, .failure(URLSessionTransport.networkError(error, origin: origin))) }
            if let response = state.response { return (continuation, .success(response)) }
            return (continuation, .failure(ProviderError(.network, "no HTTP response from \(origin)", retryable: true)))
        }
        if let (continuation, result) = finished { continuation.resume(with: result) }
    }
}

/// Collects a body up to a limit.
final class BodyBuffer: Sendable {
    private let limit: Int
    private let stored = Locked<[UInt8]>([])

    init(limit: Int) { self.limit = limit }

    func append(_ bytes: [UInt8]) throws(ProviderError) {
        let fits = stored.withLock { stored -> Bool in
            guard stored.count + bytes.count <= limit else { return false }
            stored += bytes
            return true
        }
        guard fits else { throw ProviderError(.decode, "the answer is larger than \(limit) bytes; flow stopped reading it") }
    }

    var bytes: [UInt8] { stored.current }
}

/// The checks on an answer's bytes as they arrive, apart from URLSession so they can be tested
/// and fuzzed: the size bound, counted before anything is kept, and the refusal of any content
/// encoding (flow asks for `identity`; a gzip body of a megabyte can inflate to gigabytes).
public struct ArrivingBody: Sendable {
    /// The most bytes an answer may have.
    public let limit: Int
    /// Bytes seen so far (saturating).
    public private(set) var received = 0

    /// A count under `limit`.
    public init(limit: Int) { self.limit = limit }

    /// Counts `count` more bytes; false once the answer is over the limit.
    public mutating func accept(_ count: Int) -> Bool {
        let (sum, overflow) = received.addingReportingOverflow(max(0, count))
        received = overflow ? Int.max : sum
        return received <= limit
    }

    /// The error for an answer whose `Content-Encoding` flow did not ask for; nil for none or identity.
    public static func refusal(contentEncoding: String?, origin: String) -> ProviderError? {
        guard let encoding = contentEncoding?.trimmingCharacters(in: .whitespaces), !encoding.isEmpty,
              encoding.lowercased() != "identity" else { return nil }
        return ProviderError(.decode, "\(origin) sent a '\(encoding)'-compressed answer although flow asked for none "
                             + "(Accept-Encoding: identity); it is refused unread, since its size once decompressed is unbounded")
    }
}
