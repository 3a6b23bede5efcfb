import Foundation
import Testing
import FlowTestSupport
@testable import FlowCore

/// Each cost rule against numbers worked out by hand from the providers' fixtures.
@Suite struct CostTests {
    let table = PriceTable.builtIn

    func close(_ a: Double?, _ b: Double) -> Bool { abs((a ?? .nan) - b) < 1e-12 }

    @Test func openAICachedTokensAreInsidePromptTokensAndReasoningBillsAsOutput() throws {
        // o3-mini: 1200 prompt tokens of which 1024 cached, 300 completion of which 256 reasoning.
        // 176 × $1.10/M + 1024 × $0.55/M + 300 × $4.40/M = 0.0001936 + 0.0005632 + 0.00132
        let usage = try OpenAIAdapter().decode(HTTPResponse(status: 200, body: try Fixture.bytes("openai/completion-length-reasoning.json"))).usage
        #expect(close(table.cost(usage, model: ModelRef(provider: "openai", name: "o3-mini-2025-01-31")), 0.0020768))
    }

    @Test func anthropicCacheReadsAndWritesArePricedApart() throws {
        // 50 input + 3000 cache reads + 1200 cache writes, 10 output on claude-haiku-4-5:
        // 50 × $1/M + 3000 × $0.10/M + 1200 × $1.25/M + 10 × $5/M = 0.00005 + 0.0003 + 0.0015 + 0.00005
        let usage = try AnthropicAdapter().decode(HTTPResponse(status: 200, body: try Fixture.bytes("anthropic/message-max-tokens-cached.json"))).usage
        #expect(close(table.cost(usage, model: ModelRef(provider: "anthropic", name: "claude-haiku-4-5-20251001")), 0.0019))
    }

    @Test func geminiThoughtsBillAsOutput() throws {
        // 10 input, 5 candidate + 42 thought tokens on gemini-2.5-flash: 10 × $0.30/M + 47 × $2.50/M
        let usage = try GeminiAdapter().decode(HTTPResponse(status: 200, body: try Fixture.bytes("gemini/generate-thoughts.json"))).usage
        #expect(close(table.cost(usage, model: ModelRef(provider: "gemini", name: "gemini-2.5-flash")), 0.0001205))
    }

    @Test func geminiLongContextTier() {
        let pro = ModelRef(provider: "gemini", name: "gemini-2.5-pro")
        // Above 200k input tokens the whole call takes the higher tier: 250000 × $2.50/M + 1000 × $15/M.
        #expect(close(table.cost(Usage(inputTokens: 250_000, outputTokens: 1000), model: pro), 0.64))
        // Below it: 100000 × $1.25/M + 1000 × $10/M.
        #expect(close(table.cost(Usage(inputTokens: 100_000, outputTokens: 1000), model: pro), 0.135))
    }

    @Test func snapshotsAndAliasesResolve() {
        #expect(table.price(for: ModelRef(provider: "openai", name: "gpt-4o-2024-08-06")) == table.prices["openai/gpt-4o"])
        #expect(table.price(for: ModelRef(provider: "anthropic", name: "claude-sonnet-4-5-20250929")) == table.prices["anthropic/claude-sonnet-4-5"])
        #expect(table.price(for: ModelRef(provider: "openai", name: "gpt-4o-mini-latest")) == table.prices["openai/gpt-4o-mini"])
    }

    @Test func unknownModelHasNoPriceNeverZero() {
        #expect(table.cost(Usage(inputTokens: 10, outputTokens: 10), model: ModelRef(provider: "openai", name: "gpt-9-ultra")) == nil)
        #expect(table.cost(Usage(inputTokens: 10, outputTokens: 10), model: ModelRef(provider: "ollama", name: "llama3.2")) == nil)
        #expect(table.cost(Usage(inputTokens: 10, outputTokens: 10), model: ModelRef(provider: "mock", name: "m")) == 0)
    }

    /// The built-in facts agree with LiteLLM's price map in ../shared/reference (not copied here).
    @Test(.enabled(if: SharedFiles.exists("reference/model_prices.json"),
                   Comment(rawValue: SharedFiles.missing("reference/model_prices.json"))))
    func builtInPricesMatchTheReferenceMap() throws {
        let path = SharedFiles.path("reference/model_prices.json")
        let reference = try PriceTable.load(file: path)
        for (key, price) in table.prices {
            let theirs = try #require(reference.prices[key] ?? nil, "\(key) is not in the reference map")
            #expect(abs(theirs.input - price.input) < 1e-15 && abs(theirs.output - price.output) < 1e-15, "\(key)")
            #expect(abs((theirs.cachedInput ?? 0) - (price.cachedInput ?? 0)) < 1e-15, "\(key) cached")
            #expect(abs((theirs.cacheWrite ?? 0) - (price.cacheWrite ?? 0)) < 1e-15, "\(key) cache write")
            #expect(theirs.tier?.threshold == price.tier?.threshold, "\(key) tier")
        }
        #expect(reference.version.hasPrefix(PriceTable.builtInVersion + " + "))
    }

    @Test func aLiteLLMFileExtendsAndOverrides() throws {
        let scratch = try TemporaryDirectory(prefix: "flow-prices")
        defer { withExtendedLifetime(scratch) {} }  // kept until the test ends, then removed
        let file = scratch.path + "/prices.json"
        try #"""
            {"gpt-4o": {"litellm_provider": "openai", "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06},
             "ollama/llama3.2": {"litellm_provider": "ollama", "input_cost_per_token": 0, "output_cost_per_token": 0},
             "sample_spec": {"max_tokens": "set to max_output_tokens if provider specifies it"}}
            """#.write(toFile: file, atomically: true, encoding: .utf8)
        let loaded = try PriceTable.load(file: file)
        #expect(loaded.price(for: ModelRef(provider: "openai", name: "gpt-4o")) == Price(input: 1e-6, output: 2e-6))
        #expect(loaded.cost(Usage(inputTokens: 5, outputTokens: 5), model: ModelRef(provider: "ollama", name: "llama3.2")) == 0)
        #expect(loaded.price(for: ModelRef(provider: "anthropic", name: "claude-haiku-4-5")) != nil, "the built-in table stays")
        #expect(throws: PriceFileError.self) { try PriceTable.load(file: "/nonexistent/prices.json") }
    }

    @Test func costBudgetStopsBeforeOverspending() async throws {
        let loaded = try InterpreterTests().loaded("""
            flow: 1
            model: mock/priced
            limits: {max_cost_usd: 0.01}
            params: {max_tokens: 1000}
            steps: [{id: a, user: x}, {id: b, user: y}]
            mock: [{content: ok, usage: {input_tokens: 1000, output_tokens: 900}}, ok]
            """)
        // $5 per million tokens both ways: step a may cost up to ~$0.005 and is sent; after it
        // has cost $0.0095, step b's worst case (15 estimated input + 1000 output tokens) is $0.014575.
        let prices = PriceTable(version: "test", prices: ["mock/priced": .perMillion(5, 5)])
        let registry = ProviderRegistry(environment: [:], transport: UnusedTransport(), mockReplies: loaded.workflow.mock)
        let result = await Interpreter(providers: registry, transcript: InMemoryTranscript(), prices: prices)
            .run(loaded, inputs: [:])
        #expect(result.steps.count == 1)
        // The mock spends nothing, but the budget counts list price so a replay takes the live path.
        #expect(result.steps.first?.costUSD == 0)
        #expect(result.steps.first.flatMap(\.answerCostUSD).map { abs($0 - 0.0095) < 1e-12 } == true)
        #expect(result.error?.message == "step 'b': this call could bring the run to $0.0146, over limits.max_cost_usd ($0.01), so it was not sent; raise the limit or lower max_tokens")
        #expect(result.error?.exitCode == 1)
    }
}
