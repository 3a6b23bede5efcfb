/// Bounds that keep hostile YAML from eating memory or time.
public struct YAMLLimits: Sendable {
    /// Largest input accepted, in bytes.
    public var maxDocumentBytes: Int
    /// Deepest nesting of sequences and mappings.
    public var maxDepth: Int
    /// Most nodes that aliases may add in total; a "billion laughs" file passes this quickly.
    public var maxAliasExpansion: Int

    public init(maxDocumentBytes: Int = 8 << 20, maxDepth: Int = 128, maxAliasExpansion: Int = 100_000) {
        self.maxDocumentBytes = maxDocumentBytes
        self.maxDepth = maxDepth
        self.maxAliasExpansion = maxAliasExpansion
    }

    public static let `default` = YAMLLimits()
}
