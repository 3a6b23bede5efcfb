import FlowCore

/// The test doubles of the interfaces providers and tools sit behind, shared by every test
/// target so none keeps its own copy.

/// A transport that fails every request: for code under test that must not send (a registry
/// resolving adapters, a replay). `calls` counts what reached it anyway.
public struct UnusedTransport: HTTPTransport {
    private let reached = Locked(0)

    public init() {}

    /// Requests that reached the transport.
    public var calls: Int { reached.current }

    public func send(_ request: HTTPRequest) async throws(ProviderError) -> HTTPResponse {
        reached.withLock { $0 += 1 }
        throw ProviderError(.network, "no network in this test")
    }
}

/// A transport answering from a closure, for provider tests without a socket.
public struct ScriptedTransport: HTTPTransport {
    let answer: @Sendable (HTTPRequest) -> HTTPResponse

    /// Answers each request with `answer(request)`.
    public init(_ answer: @escaping @Sendable (HTTPRequest) -> HTTPResponse) { self.answer = answer }

    public func send(_ request: HTTPRequest) async throws(ProviderError) -> HTTPResponse { answer(request) }
}

/// A tool runner that answers from a table and records each call.
public actor ScriptedTools: ToolRunner {
    /// Each call: the tool's name and its arguments.
    public private(set) var calls: [(String, JSON)] = []
    let answers: [String: (String, Bool)]

    /// Answers a tool by name with (content, is error); an unknown one is an error result.
    public init(_ answers: [String: (String, Bool)]) { self.answers = answers }

    public func run(_ tool: ToolDeclaration, arguments: JSON) async -> (content: String, isError: Bool) {
        calls.append((tool.name, arguments))
        return answers[tool.name] ?? ("no answer", true)
    }
}
