/// Where `user: {ask: …}` turns come from: standard input in the CLI, a script in tests.
public protocol InputSource: Sendable {
    /// Shows `prompt` and reads one line, or nil at the end of input.
    func readLine(prompt: String) async -> String?
}

/// Input that has ended: a workflow that asks stops cleanly.
public struct NoInput: InputSource {
    /// Input that has already ended.
    public init() {}
    /// Always nil: the end of input.
    public func readLine(prompt: String) async -> String? { nil }
}

/// Lines given up front, for tests.
public actor ScriptedInput: InputSource {
    private var lines: [String]
    /// The prompts shown, in order, for tests to check.
    public private(set) var prompts: [String] = []

    /// Input that gives `lines` in order, then ends.
    public init(_ lines: [String]) { self.lines = lines }

    /// The next line, or nil once they are used up.
    public func readLine(prompt: String) async -> String? {
        prompts.append(prompt)
        return lines.isEmpty ? nil : lines.removeFirst()
    }
}
