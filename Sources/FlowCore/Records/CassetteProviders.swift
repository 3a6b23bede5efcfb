import Foundation

/// How runs use cassettes: `live` sends requests, `record` sends them and saves each answer,
/// `replay` answers from the cassette with no network (a miss is an error).
public enum CassetteMode: String, Sendable {
    case live, record, replay
}

/// A cassette and the file it lives in. Recording writes the file after every answer, so an
/// interrupted recording keeps what it paid for.
public final class CassetteStore: @unchecked Sendable {
    public let path: String
    private let lock = NSLock()
    private var cassette: Cassette

    public init(path: String, cassette: Cassette = Cassette()) {
        self.path = path
        self.cassette = cassette
    }

    /// Loads `path`; a missing file is an empty cassette (to record into).
    public static func open(_ path: String) throws -> CassetteStore {
        guard let data = FileManager.default.contents(atPath: path) else { return CassetteStore(path: path) }
        do {
            return CassetteStore(path: path, cassette: try Cassette(json: try JSON.parse([UInt8](data))))
        } catch {
            throw CassetteError(message: "\(path): error: \(error)")
        }
    }

    public var current: Cassette {
        lock.lock()
        defer { lock.unlock() }
        return cassette
    }

    func record(_ interaction: Cassette.Interaction) throws(ProviderError) {
        lock.lock()
        defer { lock.unlock() }
        cassette.record(interaction)
        let text = cassette.json.pretty + "\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ProviderError(.configuration, "cannot write the cassette '\(path)'")
        }
    }
}

/// Sends through the real provider and saves each answer in the cassette.
struct RecordingProvider: ChatProvider {
    let inner: any ChatProvider
    let store: CassetteStore
    let step: String

    var name: String { inner.name }
    func prefillMode(for model: String) -> PrefillMode { inner.prefillMode(for: model) }
    func check(_ request: ChatRequest) throws(ProviderError) { try inner.check(request) }
    func wire(_ request: ChatRequest) -> HTTPRequest? { inner.wire(request) }

    func complete(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
        let response = try await inner.complete(request)
        try save(request, response)
        return response
    }

    func stream(_ request: ChatRequest, onText: @escaping @Sendable (String) -> Void) async throws(ProviderError) -> ChatResponse {
        let response = try await inner.stream(request, onText: onText)
        try save(request, response)
        return response
    }

    private func save(_ request: ChatRequest, _ response: ChatResponse) throws(ProviderError) {
        let normalized = Cassette.normalized(request, provider: name)
        try store.record(Cassette.Interaction(key: Cassette.key(normalized), step: step, request: normalized, response: response))
    }
}

/// Answers from the cassette: no network, no key. It keeps the real provider's rules (prefill
/// mode, capability checks), so a replayed run takes the same path as the recorded one.
struct ReplayProvider: ChatProvider {
    let name: String
    let adapter: (any ProviderAdapter)?
    let store: CassetteStore
    let step: String

    func prefillMode(for model: String) -> PrefillMode { adapter?.prefillMode(for: model) ?? .native }
    func check(_ request: ChatRequest) throws(ProviderError) { try adapter?.check(request) }

    func complete(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
        let normalized = Cassette.normalized(request, provider: name)
        let cassette = store.current
        if let response = cassette.response(for: Cassette.key(normalized)) { return response }
        var message = "no recording of this request in \(store.path)"
        if let nearest = cassette.nearest(to: normalized, step: step) {
            message += "; the nearest recorded request (step '\(nearest.step)') differs:\n"
                + CassetteDiff.lines(nearest.request, normalized).map { "  " + $0 }.joined(separator: "\n")
        } else {
            message += " (it holds no recordings)"
        }
        message += "\nrecord it again with --record (or FLOW_CASSETTE=record)"
        throw ProviderError(.cassetteMiss, message)
    }

    func stream(_ request: ChatRequest, onText: @escaping @Sendable (String) -> Void) async throws(ProviderError) -> ChatResponse {
        let response = try await complete(request)
        if !response.content.isEmpty { onText(response.content) }
        return response
    }
}
