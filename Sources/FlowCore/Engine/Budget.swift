/// The run's budgets, checked before each call: pure, so each rule is tested on its own.
/// Pessimistic on purpose: the whole input estimate plus the most the answer may take
/// (`max_tokens`, 4,096 when unset), so a run stops before the call that could overspend.
enum Budget {
    /// Output tokens assumed for a request that sets no `max_tokens`.
    static let assumedMaxTokens = 4096

    /// Why `request` must not be sent, or nil when it fits `limits`.
    static func check(_ request: ChatRequest, model: ModelRef, limits: Limits, price: Price?,
                      tokensUsed: Int, costSoFar: Double) -> ProviderError? {
        check([request], model: model, limits: limits, price: price, tokensUsed: tokensUsed, costSoFar: costSoFar)
    }

    /// Why `requests` must not be sent, all of them counted before any is: a mapped step's items.
    static func check(_ requests: [ChatRequest], model: ModelRef, limits: Limits, price: Price?,
                      tokensUsed: Int, costSoFar: Double) -> ProviderError? {
        let input = requests.reduce(0) { $0 + $1.messages.estimatedTokens }
        let output = requests.reduce(0) { $0 + ($1.params.maxTokens ?? assumedMaxTokens) }
        let calls = requests.count == 1 ? "this call" : "these \(requests.count) calls"
        if let limit = limits.maxTotalTokens {
            let worst = tokensUsed + input + output
            if worst > limit {
                return ProviderError(.budget, "\(calls) could bring the run to \(worst) tokens, over limits.max_total_tokens (\(limit)), so \(requests.count == 1 ? "it was not sent" : "none was sent"); raise the limit or lower max_tokens")
            }
        }
        if let limit = limits.maxCostUSD {
            guard let price else {
                return ProviderError(.budget, "limits.max_cost_usd is set but \(model) has no price, so the budget cannot be kept; add its price with --prices")
            }
            let worst = costSoFar + price.cost(of: Usage(inputTokens: input, outputTokens: output))
            if worst > limit {
                return ProviderError(.budget, "\(calls) could bring the run to \(Money.text(worst)), over limits.max_cost_usd (\(Money.text(limit))), so \(requests.count == 1 ? "it was not sent" : "none was sent"); raise the limit or lower max_tokens")
            }
        }
        return nil
    }
}
