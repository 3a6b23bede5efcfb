/// Bounds that keep hostile YAML from eating memory or time.
public struct YAMLLimits: Sendable {
    /// Largest input accepted, in bytes.
    public var maxDocumentBytes: Int
    /// Deepest nesting of sequences and mappings.
    public var maxDepth: Int
    /// Most nodes that aliases may add in total; a "billion laughs" file passes this quickly.
    public var maxAliasExpansion: Int

    /// Limits with the defaults flow uses: 8 MiB, 128 levels, 100,000 nodes added by aliases.
    public init(maxDocumentBytes: Int = 8 << 20, maxDepth: Int = 128, maxAliasExpansion: Int = 100_000) {
        self.maxDocumentBytes = maxDocumentBytes
        self.maxDepth = maxDepth
        self.maxAliasExpansion = maxAliasExpansion
    }

    /// The limits every workflow, template list and dataset is loaded with.
    public static let `default` = YAMLLimits()
}
