/// USD per token for one model. Cache prices fall back to the input price when unknown.
public struct Price: Sendable, Equatable {
    public var input: Double
    public var output: Double
    public var cachedInput: Double?
    public var cacheWrite: Double?
    /// Prices for a call whose input is above `threshold` tokens (Gemini's long-context tier).
    public var tier: Tier?

    public struct Tier: Sendable, Equatable {
        public var threshold: Int
        public var input: Double
        public var output: Double
        public var cachedInput: Double?
    }

    public init(input: Double, output: Double, cachedInput: Double? = nil, cacheWrite: Double? = nil, tier: Tier? = nil) {
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite
        self.tier = tier
    }

    /// Per million tokens, as price pages list them.
    static func perMillion(_ input: Double, _ output: Double, cached: Double? = nil, write: Double? = nil, tier: Tier? = nil) -> Price {
        Price(input: input / 1e6, output: output / 1e6, cachedInput: cached.map { $0 / 1e6 }, cacheWrite: write.map { $0 / 1e6 }, tier: tier)
    }
}

extension Price {
    /// The cost of one call from normalized usage (docs/providers.md): cached reads and cache
    /// writes are inside `inputTokens` and priced apart; reasoning and thinking are inside
    /// `outputTokens` and bill as output. Above the tier's threshold the whole call takes the
    /// tier's prices.
    public func cost(of usage: Usage) -> Double {
        var input = self.input, output = self.output, cached = cachedInput ?? self.input
        if let tier, usage.inputTokens > tier.threshold {
            input = tier.input
            output = tier.output
            cached = tier.cachedInput ?? tier.input
        }
        let uncached = max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens)
        return Double(uncached) * input
            + Double(usage.cachedInputTokens) * cached
            + Double(usage.cacheWriteTokens) * (cacheWrite ?? input)
            + Double(usage.outputTokens) * output
    }
}
