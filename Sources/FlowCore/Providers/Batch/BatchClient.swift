import Foundation

/// One request of a batch: the id its answer comes back under (the cassette key) and the request.
public struct BatchItem: Sendable {
    /// The id the provider returns the answer under; the cassette key, 64 hex digits, which fits
    /// every provider's custom id rules.
    public var customID: String
    /// The request, as the provider's adapter encodes it.
    public var request: ChatRequest

    /// An item.
    public init(customID: String, request: ChatRequest) {
        self.customID = customID
        self.request = request
    }
}

/// Where a submitted batch stands, in flow's words over each provider's states.
public struct BatchStatus: Sendable, Equatable {
    /// Where the batch is.
    public enum Phase: String, Sendable {
        /// Accepted and being worked on (OpenAI's validating, in_progress, finalizing, cancelling;
        /// Anthropic's in_progress, canceling).
        case running
        /// Done: its results can be read.
        case ended
        /// Refused as a whole (OpenAI's failed).
        case failed
        /// Stopped by `flow batch cancel` (results of what finished can still be read).
        case cancelled
        /// Not finished in its window (results of what finished can still be read).
        case expired
    }

    /// The provider's batch id.
    public var id: String
    /// Where it stands.
    public var phase: Phase
    /// The provider's own word for it (`in_progress`, `ended`…).
    public var providerState: String
    /// Requests finished (answered or failed) and in all.
    public var finished: Int
    /// Requests in the batch.
    public var total: Int
    /// Where the results are: OpenAI's output and error file ids, Anthropic's results URL.
    public var results: [String]

    /// A status.
    public init(id: String, phase: Phase, providerState: String, finished: Int, total: Int, results: [String] = []) {
        self.id = id
        self.phase = phase
        self.providerState = providerState
        self.finished = finished
        self.total = total
        self.results = results
    }

    /// Whether polling can stop.
    public var isOver: Bool { phase != .running }
}

/// A provider's Batch API: submit many requests at once (at half the price), poll, read the
/// answers back by custom id (in any order), cancel. Requests are encoded by the provider's own
/// adapter and answers decoded by it, so a batched answer is the same `ChatResponse` a direct
/// call gives.
public protocol BatchClient: Sendable {
    /// The provider's name.
    var provider: ProviderName { get }
    /// The most requests and bytes one batch may hold; more is split.
    var limits: (requests: Int, bytes: Int) { get }
    /// The request bodies as they would be submitted, one per item, to size the split.
    func sizes(_ items: [BatchItem]) throws(ProviderError) -> [Int]
    /// Submits the items as one batch.
    func submit(_ items: [BatchItem]) async throws(ProviderError) -> BatchStatus
    /// Where batch `id` stands.
    func status(_ id: String) async throws(ProviderError) -> BatchStatus
    /// The answers of a batch that is over, by custom id: each an answer or why there is none.
    /// `ids` are the batch's custom ids in the order submitted, for a provider that answers in order.
    func results(_ status: BatchStatus, ids: [String]) async throws(ProviderError) -> [String: Result<ChatResponse, ProviderError>]
    /// Asks the provider to stop batch `id`.
    func cancel(_ id: String) async throws(ProviderError) -> BatchStatus
}

extension BatchClient {
    /// `items` cut into batches within the provider's limits, in order.
    public func split(_ items: [BatchItem]) throws(ProviderError) -> [[BatchItem]] {
        let sizes = try self.sizes(items)
        var chunks: [[BatchItem]] = [], current: [BatchItem] = [], bytes = 0
        for (item, size) in zip(items, sizes) {
            if !current.isEmpty, current.count >= limits.requests || bytes + size > limits.bytes {
                chunks.append(current)
                current = []
                bytes = 0
            }
            current.append(item)
            bytes += size
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }
}

/// A batch client over HTTP: its provider, key and base URL are its adapter's.
protocol HTTPBatchClient: BatchClient {
    var http: BatchHTTP { get }
}

extension HTTPBatchClient {
    /// The provider's name.
    public var provider: ProviderName { http.adapter.providerName }
    var apiKey: String { http.apiKey }
    var baseURL: String { http.adapter.baseURL }
}

/// The HTTP exchanges the batch clients share: send, require a 2xx, read JSON, with the
/// provider's error decoded as a direct call's would be.
struct BatchHTTP: Sendable {
    let adapter: any ProviderAdapter
    let transport: any HTTPTransport
    /// The key, sent only to the adapter's base URL.
    let apiKey: String

    func json(_ request: HTTPRequest) async throws(ProviderError) -> JSON {
        let response = try await ok(request)
        return try HTTPErrors.json(response, from: adapter.providerName)
    }

    func ok(_ request: HTTPRequest) async throws(ProviderError) -> HTTPResponse {
        let response = try await transport.send(request)
        guard (200..<300).contains(response.status) else {
            // The adapter reads the provider's error body the same way for every endpoint.
            _ = try adapter.decode(response)
            throw ProviderError(.http, "\(adapter.providerName) answered HTTP \(response.status)", status: response.status)
        }
        return response
    }

    /// The JSON body the adapter would send for `request`.
    func body(_ request: ChatRequest) throws(ProviderError) -> JSON {
        let http = try adapter.encode(request, apiKey: nil)
        do {
            return try JSON.parse(http.body)
        } catch {
            throw ProviderError(.configuration, "the \(adapter.providerName) request body did not read back as JSON (\(error))")
        }
    }

    /// Decodes one answer body the way a direct call's answer is decoded.
    func answer(status: Int, body: JSON) -> Result<ChatResponse, ProviderError> {
        do throws(ProviderError) {
            var response = try adapter.decode(HTTPResponse(status: status, body: Array(body.serialized.utf8)))
            response.origin = .live
            return .success(response)
        } catch {
            return .failure(error)
        }
    }

    /// JSON Lines into their objects; a line that does not read is skipped and counted.
    static func lines(_ bytes: [UInt8]) -> [JSON] {
        var out: [JSON] = []
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            if end > start, let json = try? JSON.parse(Array(bytes[start..<end])) { out.append(json) }
            start = end + 1
        }
        return out
    }
}
