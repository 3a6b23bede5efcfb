/// Who may call `flow serve`, and how many runs each caller may have at once. Bearer tokens
/// come from the environment or a file; with none the server listens on loopback only, so an
/// unauthenticated server is never reachable from another machine.
public struct ServeAccess: Sendable {
    public let tokens: [String]

    public init(tokens: [String]) {
        self.tokens = tokens.map { $0.trimmingWhitespace }.filter { !$0.isEmpty }
    }

    /// Tokens from `FLOW_SERVE_TOKENS` (comma-separated) and a file of one per line (`#` comments).
    public static func tokens(environment: String?, file: String?) -> [String] {
        var tokens = (environment ?? "").split(separator: ",").map(String.init)
        for line in (file ?? "").split(whereSeparator: \.isNewline) where !line.hasPrefix("#") { tokens.append(String(line)) }
        return tokens
    }

    public var required: Bool { !tokens.isEmpty }

    /// The caller's identity for limits (its token, or its address when no token is required),
    /// or nil when it is not allowed.
    public func identity(authorization: String?, peer: String) -> String? {
        guard required else { return "peer " + peer }
        guard let header = authorization, header.lowercased().hasPrefix("bearer ") else { return nil }
        let given = Array(header.dropFirst(7).utf8)
        // Compared in time that does not depend on where the bytes differ.
        for token in tokens where Self.equal(Array(token.utf8), given) { return "token " + String(token.prefix(4)) + "…#" + String(tokens.firstIndex(of: token)!) }
        return nil
    }

    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}

/// Runs in flight per caller, bounded.
public final class ServeConcurrency: Sendable {
    let perClient: Int
    private let counts = Locked<[String: Int]>([:])

    public init(perClient: Int) { self.perClient = perClient }

    /// Takes a place for `identity`; false when it has `perClient` runs already.
    public func enter(_ identity: String) -> Bool {
        counts.withLock { counts in
            let current = counts[identity, default: 0]
            guard current < perClient else { return false }
            counts[identity] = current + 1
            return true
        }
    }

    public func leave(_ identity: String) {
        counts.withLock { counts in
            let left = counts[identity, default: 1] - 1
            counts[identity] = left > 0 ? left : nil
        }
    }

    /// Runs in flight across callers.
    public var inFlight: Int { counts.withLock { $0.values.reduce(0, +) } }
}
