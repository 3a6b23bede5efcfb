/// Where `user: {ask: …}` turns come from: standard input in the CLI, a script in tests.
public protocol InputSource: Sendable {
    /// Shows `prompt` and reads one line, or nil at the end of input.
    func readLine(prompt: String) async -> String?
}

/// Input that has ended: a workflow that asks stops cleanly.
public struct NoInput: InputSource {
    public init() {}
    public func readLine(prompt: String) async -> String? { nil }
}

/// Lines given up front, for tests.
public actor ScriptedInput: InputSource {
    private var lines: [String]
    public private(set) var prompts: [String] = []

    public init(_ lines: [String]) { self.lines = lines }

    public func readLine(prompt: String) async -> String? {
        prompts.append(prompt)
        return lines.isEmpty ? nil : lines.removeFirst()
    }
}
