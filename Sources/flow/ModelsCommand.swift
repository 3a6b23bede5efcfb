import Foundation
import FlowCore

/// `flow models`: the providers flow can call and the models it has prices for.
enum ModelsCommand {
    static func main(_ arguments: ParsedArguments) -> Int32 {
        let environment = ProcessEnvironment.current
        let table: PriceTable
        do {
            table = try PriceTable.load(file: arguments.value("--prices") ?? environment["FLOW_PRICES"])
        } catch {
            Terminal.err("error: \(error)\n")
            return ExitStatus.noInput
        }
        let config = (try? WorkflowLoader.projectConfig(for: FileManager.default.currentDirectoryPath)) ?? ProjectConfig()
        let keys = Dictionary(uniqueKeysWithValues: BuiltInProvider.all.compactMap { entry in entry.keyVariable.map { (entry.name, $0) } })
        var models = table.prices.keys.sorted()
        if let provider = arguments.value("--provider") { models = models.filter { $0.hasPrefix(provider + "/") } }
        func perMillion(_ value: Double?) -> String { value.map { String(format: "%.3f", $0 * 1e6) } ?? "-" }
        if arguments.flags.contains("--json") {
            let providers = ProviderRegistry.builtIn.map { name in
                JSON.object(omittingNil: [("name", .string(name.rawValue)), ("key", keys[name].map(JSON.string)),
                                          ("key_set", keys[name].map { .bool(!(environment[$0] ?? "").isEmpty) })])
            } + config.providers.map { .object([("name", .string($0.name.rawValue)), ("base_url", .string($0.baseURL))]) }
            let priced = models.map { key in
                let price = table.prices[key]!
                return JSON.object(omittingNil: [
                    ("model", .string(key)), ("input_per_million", .double(price.input * 1e6)),
                    ("output_per_million", .double(price.output * 1e6)),
                    ("cached_input_per_million", price.cachedInput.map { .double($0 * 1e6) }),
                    ("cache_write_per_million", price.cacheWrite.map { .double($0 * 1e6) }),
                ])
            }
            Terminal.out(JSON.object([("providers", .array(providers)), ("price_table", .string(table.version)),
                                      ("models", .array(priced))]).pretty + "\n")
            return ExitStatus.ok
        }
        var out = "providers:\n"
        for name in ProviderRegistry.builtIn {
            var key = " (offline)"
            if let variable = keys[name] { key = (environment[variable] ?? "").isEmpty ? " (\(variable) not set)" : " (\(variable) set)" }
            out += "  \(name)\(key)\n"
        }
        for provider in config.providers { out += "  \(provider.name) → \(provider.baseURL)\n" }
        out += "\nprices (USD per million tokens; \(table.version)):\n"
        out += "  " + "model".padding(toLength: 40, withPad: " ", startingAt: 0) + "   input   output   cached    write\n"
        for key in models {
            let price = table.prices[key]!
            out += "  " + key.padding(toLength: 40, withPad: " ", startingAt: 0)
                + [perMillion(price.input), perMillion(price.output), perMillion(price.cachedInput), perMillion(price.cacheWrite)]
                    .map { String(repeating: " ", count: max(0, 8 - $0.count)) + $0 }.joined(separator: " ") + "\n"
        }
        Terminal.out(out)
        return ExitStatus.ok
    }
}
