import Testing
@testable import FlowCore

/// The budget rules on their own: pessimistic estimates, stopping before the call that could
/// overspend, and a cost budget that cannot be kept without a price.
@Suite struct BudgetTests {
    static let model = ModelRef(provider: "openai", name: "m")
    static func request(maxTokens: Int?) -> ChatRequest {
        // 100 bytes of content: the estimator counts 4 + ceil(100 / 4) = 29 tokens for it.
        ChatRequest(model: "m", messages: [ChatMessage(.user, String(repeating: "x", count: 100))], params: SamplingParams(maxTokens: maxTokens))
    }

    func limits(tokens: Int? = nil, cost: Double? = nil) -> Limits {
        var limits = Limits()
        limits.maxTotalTokens = tokens
        limits.maxCostUSD = cost
        return limits
    }

    @Test func tokensCountTheInputEstimateAndTheMostTheAnswerMayTake() {
        let input = Self.request(maxTokens: 100).messages.estimatedTokens
        let fits = Budget.check(Self.request(maxTokens: 100), model: Self.model, limits: limits(tokens: 500 + input + 100),
                                price: nil, tokensUsed: 500, costSoFar: 0)
        #expect(fits == nil, "exactly at the limit is allowed")
        let over = Budget.check(Self.request(maxTokens: 101), model: Self.model, limits: limits(tokens: 500 + input + 100),
                                price: nil, tokensUsed: 500, costSoFar: 0)
        #expect(over?.kind == .budget)
        #expect(over?.message.hasPrefix("this call could bring the run to \(601 + input) tokens, over limits.max_total_tokens") == true)
    }

    @Test func anUnsetMaxTokensIsAssumedLarge() {
        let over = Budget.check(Self.request(maxTokens: nil), model: Self.model, limits: limits(tokens: 4000), price: nil,
                                tokensUsed: 0, costSoFar: 0)
        #expect(over != nil, "4,096 output tokens are assumed")
    }

    @Test func costUsesTheModelsPriceAndNeedsOne() {
        let price = Price.perMillion(10, 10)   // $10 per million tokens both ways
        let request = Self.request(maxTokens: 971)   // 29 + 971 = 1,000 tokens: $0.01 at worst
        #expect(Budget.check(request, model: Self.model, limits: limits(cost: 0.02), price: price, tokensUsed: 0, costSoFar: 0.009) == nil)
        let over = Budget.check(request, model: Self.model, limits: limits(cost: 0.02), price: price, tokensUsed: 0, costSoFar: 0.0101)
        #expect(over?.message == "this call could bring the run to $0.0201, over limits.max_cost_usd ($0.02), so it was not sent; raise the limit or lower max_tokens")
        let unpriced = Budget.check(request, model: Self.model, limits: limits(cost: 1), price: nil, tokensUsed: 0, costSoFar: 0)
        #expect(unpriced?.message.contains("has no price, so the budget cannot be kept") == true)
    }

    @Test func noLimitsNoCheck() {
        #expect(Budget.check(Self.request(maxTokens: nil), model: Self.model, limits: Limits(), price: nil, tokensUsed: .max / 2, costSoFar: 1e9) == nil)
    }
}
