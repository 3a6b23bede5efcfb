import Foundation

/// Model prices by `provider/model`. The built-in table holds facts checked against LiteLLM's
/// price map (version below); a file in LiteLLM's format replaces or extends it.
public struct PriceTable: Sendable {
    /// The built-in table's version, recorded in every run_start.
    public static let builtInVersion = "flow-2026-11-24 (checked against LiteLLM 1.110.2)"

    /// Which table this is: the built-in version, plus any file that extended it.
    public var version: String
    /// Prices by `provider/model`.
    public var prices: [String: Price]

    /// A table of `prices`, called `version` in records.
    public init(version: String, prices: [String: Price]) {
        self.version = version
        self.prices = prices
    }

    /// The price for `ref`, resolving dated snapshots and `-latest` (`gpt-4o-2024-08-06` → `gpt-4o`).
    /// Mock models cost nothing. Nil when the model has no price.
    public func price(for ref: ModelRef) -> Price? {
        // The Responses API bills OpenAI's models at OpenAI's prices.
        let provider = ref.provider.family
        for name in Self.candidates(ref.name) {
            if let price = prices["\(provider)/\(name)"] { return price }
        }
        // Scripted replies cost nothing (unless a table prices them, as tests do).
        return ref.isMock ? Price(input: 0, output: 0) : nil
    }

    /// The cost of a call, or nil when the model has no price (never a made-up 0).
    public func cost(_ usage: Usage, model: ModelRef) -> Double? {
        price(for: model)?.cost(of: usage)
    }

    static func candidates(_ name: String) -> [String] {
        var names = [name]
        var base = name
        if base.hasSuffix("-latest") { base = String(base.dropLast(7)) }
        // -2024-08-06 (OpenAI) or -20251001 (Anthropic)
        let parts = base.split(separator: "-")
        if parts.count > 3, parts.suffix(3).allSatisfy({ $0.allSatisfy(\.isNumber) }), parts.suffix(3).first?.count == 4 {
            base = parts.dropLast(3).joined(separator: "-")
        } else if let last = parts.last, last.count == 8, last.allSatisfy(\.isNumber) {
            base = parts.dropLast().joined(separator: "-")
        }
        if base != name { names.append(base) }
        return names
    }

    /// The built-in table, extended (and overridden) by a LiteLLM price file when one is named.
    public static func load(file: String?) throws -> PriceTable {
        guard let file else { return builtIn }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw PriceFileError(message: "price file '\(file)' cannot be read")
        }
        let json: JSON
        do {
            json = try JSON.parse([UInt8](data))
        } catch {
            throw PriceFileError(message: "price file '\(file)' is not JSON: \(error)")
        }
        var table = builtIn
        let loaded = liteLLM(json)
        table.prices.merge(loaded) { _, new in new }
        table.version = "\(builtInVersion) + \(loaded.count) from \(file)"
        return table
    }

    /// Entries of LiteLLM's `model_prices_and_context_window.json` that have token prices, keyed
    /// `provider/model` (a `gemini/` prefix in the key is the provider, not part of the name).
    static func liteLLM(_ json: JSON) -> [String: Price] {
        guard case .object(let entries) = json else { return [:] }
        var prices: [String: Price] = [:]
        for (key, entry) in entries {
            guard let provider = entry["litellm_provider"]?.string,
                  let input = entry["input_cost_per_token"]?.double, let output = entry["output_cost_per_token"]?.double else { continue }
            let name = key.hasPrefix(provider + "/") ? String(key.dropFirst(provider.count + 1)) : key
            var tier: Price.Tier?
            if let tierInput = entry["input_cost_per_token_above_200k_tokens"]?.double {
                tier = Price.Tier(threshold: 200_000, input: tierInput,
                                  output: entry["output_cost_per_token_above_200k_tokens"]?.double ?? output,
                                  cachedInput: entry["cache_read_input_token_cost_above_200k_tokens"]?.double)
            }
            prices["\(provider)/\(name)"] = Price(input: input, output: output,
                                                  cachedInput: entry["cache_read_input_token_cost"]?.double,
                                                  cacheWrite: entry["cache_creation_input_token_cost"]?.double, tier: tier)
        }
        return prices
    }

    /// USD per million tokens: input, output, cached input, cache write (5-minute).
    public static let builtIn = PriceTable(version: builtInVersion, prices: [
        "openai/gpt-4o": .perMillion(2.5, 10, cached: 1.25),
        "openai/gpt-4o-mini": .perMillion(0.15, 0.6, cached: 0.075),
        "openai/gpt-4.1": .perMillion(2, 8, cached: 0.5),
        "openai/gpt-4.1-mini": .perMillion(0.4, 1.6, cached: 0.1),
        "openai/gpt-4.1-nano": .perMillion(0.1, 0.4, cached: 0.025),
        "openai/o1": .perMillion(15, 60, cached: 7.5),
        "openai/o3": .perMillion(2, 8, cached: 0.5),
        "openai/o3-mini": .perMillion(1.1, 4.4, cached: 0.55),
        "openai/o4-mini": .perMillion(1.1, 4.4, cached: 0.275),
        "openai/gpt-5": .perMillion(1.25, 10, cached: 0.125),
        "openai/gpt-5.1": .perMillion(1.25, 10, cached: 0.125),
        "openai/gpt-5-mini": .perMillion(0.25, 2, cached: 0.025),
        "openai/gpt-5-nano": .perMillion(0.05, 0.4, cached: 0.005),
        "anthropic/claude-haiku-4-5": .perMillion(1, 5, cached: 0.1, write: 1.25),
        "anthropic/claude-sonnet-4-5": .perMillion(3, 15, cached: 0.3, write: 3.75),
        "anthropic/claude-sonnet-4-6": .perMillion(3, 15, cached: 0.3, write: 3.75),
        "anthropic/claude-opus-4-5": .perMillion(5, 25, cached: 0.5, write: 6.25),
        "anthropic/claude-opus-4-6": .perMillion(5, 25, cached: 0.5, write: 6.25),
        "anthropic/claude-opus-4-7": .perMillion(5, 25, cached: 0.5, write: 6.25),
        "anthropic/claude-sonnet-5": .perMillion(2, 10, cached: 0.2, write: 2.5),
        "anthropic/claude-opus-5": .perMillion(5, 25, cached: 0.5, write: 6.25),
        "gemini/gemini-2.5-pro": .perMillion(1.25, 10, cached: 0.125,
                                             tier: .init(threshold: 200_000, input: 2.5e-6, output: 15e-6, cachedInput: 0.25e-6)),
        "gemini/gemini-2.5-flash": .perMillion(0.3, 2.5, cached: 0.03),
        "gemini/gemini-2.5-flash-lite": .perMillion(0.1, 0.4, cached: 0.01),
        "gemini/gemini-3-flash-preview": .perMillion(0.5, 3, cached: 0.05),
        "gemini/gemini-3.1-pro-preview": .perMillion(2, 12, cached: 0.2,
                                                     tier: .init(threshold: 200_000, input: 4e-6, output: 18e-6, cachedInput: 0.4e-6)),
    ])
}

/// A price file that cannot be read or understood.
public struct PriceFileError: Error, CustomStringConvertible {
    /// What is wrong, naming the file.
    public var message: String
    /// The message.
    public var description: String { message }
}
