import FlowSource

/// `provider/model`, as written in the workflow.
public struct ModelRef: Sendable, Equatable, CustomStringConvertible {
    /// Whether this is a scripted model (`mock/…`): no key, no network, no cost.
    public var isMock: Bool { provider == .mock }

    /// The provider's name: a built-in one or a server named in flow.config.yaml.
    public var provider: ProviderName
    /// The model as the provider names it; it may contain slashes.
    public var name: String
    /// Where the reference is written, for errors about it; not compared.
    public var mark: Mark?

    /// A reference to `provider`'s `name`.
    public init(provider: ProviderName, name: String, mark: Mark? = nil) {
        self.provider = provider
        self.name = name
        self.mark = mark
    }

    /// Parses `provider/model`; the model part may itself contain slashes.
    public init?(parsing text: String, mark: Mark? = nil) {
        guard let slash = text.firstIndex(of: "/") else { return nil }
        let provider = String(text[..<slash]), name = String(text[text.index(after: slash)...])
        guard !provider.isEmpty, !name.isEmpty else { return nil }
        self.init(provider: ProviderName(provider), name: name, mark: mark)
    }

    /// The same provider and model, wherever written.
    public static func == (lhs: ModelRef, rhs: ModelRef) -> Bool {
        lhs.provider == rhs.provider && lhs.name == rhs.name
    }

    /// `provider/model`.
    public var description: String { "\(provider)/\(name)" }
}
