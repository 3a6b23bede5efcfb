/// USD per token for one model. Cache prices fall back to the input price when unknown.
public struct Price: Sendable, Equatable {
    /// USD per input token.
    public var input: Double
    /// USD per output token (reasoning included).
    public var output: Double
    /// USD per input token read from the cache; the input price when nil.
    public var cachedInput: Double?
    /// USD per input token written to the cache; the input price when nil.
    public var cacheWrite: Double?
    /// Prices for a call whose input is above `threshold` tokens (Gemini's long-context tier).
    public var tier: Tier?

    /// Prices above a number of input tokens.
    public struct Tier: Sendable, Equatable {
        /// Input tokens above which the whole call takes these prices.
        public var threshold: Int
        /// USD per input token above the threshold.
        public var input: Double
        /// USD per output token above the threshold.
        public var output: Double
        /// USD per cached input token above the threshold.
        public var cachedInput: Double?
    }

    /// Prices in USD per token.
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
