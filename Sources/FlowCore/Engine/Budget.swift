/// The run's budgets, checked before each call: pure, so each rule is tested on its own.
/// Pessimistic on purpose: the whole input estimate plus the most the answer may take
/// (`max_tokens`, 4,096 when unset), so a run stops before the call that could overspend.
enum Budget {
    /// Output tokens assumed for a request that sets no `max_tokens`.
    static let assumedMaxTokens = 4096

    /// Why `request` must not be sent, or nil when it fits `limits`.
    static func check(_ request: ChatRequest, model: ModelRef, limits: Limits, price: Price?,
                      tokensUsed: Int, costSoFar: Double) -> ProviderError? {
        let input = request.messages.estimatedTokens
        let output = request.params.maxTokens ?? assumedMaxTokens
        if let limit = limits.maxTotalTokens {
            let worst = tokensUsed + input + output
            if worst > limit {
                return ProviderError(.budget, "this call could bring the run to \(worst) tokens, over limits.max_total_tokens (\(limit)), so it was not sent; raise the limit or lower max_tokens")
            }
        }
        if let limit = limits.maxCostUSD {
            guard let price else {
                return ProviderError(.budget, "limits.max_cost_usd is set but \(model) has no price, so the budget cannot be kept; add its price with --prices")
            }
            let worst = costSoFar + price.cost(of: Usage(inputTokens: input, outputTokens: output))
            if worst > limit {
                return ProviderError(.budget, "this call could bring the run to \(Money.text(worst)), over limits.max_cost_usd (\(Money.text(limit))), so it was not sent; raise the limit or lower max_tokens")
            }
        }
        return nil
    }
}
