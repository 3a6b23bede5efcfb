import FlowSource

/// `provider/model`, as written in the workflow.
public struct ModelRef: Sendable, Equatable, CustomStringConvertible {
    public var provider: String
    public var name: String
    public var mark: Mark?

    public init(provider: String, name: String, mark: Mark? = nil) {
        self.provider = provider
        self.name = name
        self.mark = mark
    }

    /// Parses `provider/model`; the model part may itself contain slashes.
    public init?(parsing text: String, mark: Mark? = nil) {
        guard let slash = text.firstIndex(of: "/") else { return nil }
        let provider = String(text[..<slash]), name = String(text[text.index(after: slash)...])
        guard !provider.isEmpty, !name.isEmpty else { return nil }
        self.init(provider: provider, name: name, mark: mark)
    }

    public static func == (lhs: ModelRef, rhs: ModelRef) -> Bool {
        lhs.provider == rhs.provider && lhs.name == rhs.name
    }

    public var description: String { "\(provider)/\(name)" }
}
