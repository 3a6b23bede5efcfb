import Foundation
import FlowCore
import FlowSource
import FlowTemplate
import FlowYAML

/// flow-bench: throughput of the pure parts (templates, YAML). Prints a table, or `--json`.
/// Each figure is the median of several rounds, each at least 0.2 s of work.

struct Measurement {
    var name: String
    var bytes: Int
    var seconds: Double
    var iterations: Int

    var megabytesPerSecond: Double { Double(bytes) * Double(iterations) / seconds / 1_000_000 }
}

func measure(_ name: String, bytes: Int, rounds: Int = 7, _ work: () throws -> Void) rethrows -> Measurement? {
    if let filter, !name.contains(filter) { return nil }
    var samples: [(Double, Int)] = []
    for _ in 0..<rounds {
        var iterations = 0
        let clock = ContinuousClock()
        let start = clock.now
        var elapsed = Duration.zero
        while elapsed < .milliseconds(200) {
            try work()
            iterations += 1
            elapsed = clock.now - start
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        samples.append((seconds / Double(iterations), iterations))
    }
    let median = samples.sorted { $0.0 < $1.0 }[rounds / 2]
    return Measurement(name: name, bytes: bytes, seconds: median.0 * Double(median.1), iterations: median.1)
}

let json = CommandLine.arguments.contains("--json")
/// `--filter WORD` runs only the benchmarks whose name contains WORD (for profiling one).
let filter: String? = CommandLine.arguments.firstIndex(of: "--filter").flatMap {
    $0 + 1 < CommandLine.arguments.count ? CommandLine.arguments[$0 + 1] : nil
}
let (templateText, context) = Workloads.template()
let template = try Template(templateText)
let rendered = try template.render(context)
let workflowText = Workloads.workflow()
let source = SourceFile(path: "bench.yaml", text: workflowText)

let results: [Measurement] = [
    try measure("template parse (\(templateText.utf8.count / 1000) KB, 100 vars)", bytes: templateText.utf8.count) {
        _ = try Template(templateText)
    },
    try measure("template render (\(templateText.utf8.count / 1000) KB in, \(rendered.utf8.count / 1000) KB out)", bytes: templateText.utf8.count) {
        _ = try template.render(context)
    },
    try measure("template parse + render", bytes: templateText.utf8.count) {
        _ = try Template(templateText).render(context)
    },
    try measure("YAML load (\(workflowText.utf8.count / 1000) KB workflow)", bytes: workflowText.utf8.count, rounds: 5) {
        _ = try YAML.load(source, limits: YAMLLimits(maxAliasExpansion: 100_000))
    },
    try measure("YAML load + workflow decode", bytes: workflowText.utf8.count, rounds: 5) {
        _ = try WorkflowDecoder.decode(try YAML.load(source), source: source)
    },
].compactMap { $0 }

if json {
    let rows = results.map { result in
        JSON.object([("name", .string(result.name)), ("bytes", .int(result.bytes)), ("iterations", .int(result.iterations)),
                     ("seconds", .double(result.seconds)), ("mb_per_s", .double((result.megabytesPerSecond * 10).rounded() / 10))])
    }
    print(JSON.object([("benchmarks", .array(rows))]).pretty)
} else {
    print("benchmark".padding(toLength: 52, withPad: " ", startingAt: 0) + "MB/s    per call")
    for result in results {
        let perCall = result.seconds / Double(result.iterations) * 1000
        let name = result.name.padding(toLength: 52, withPad: " ", startingAt: 0)
        let rate = String(format: "%7.1f", result.megabytesPerSecond)
        print("\(name)\(rate)  \(String(format: "%8.3f", perCall)) ms")
    }
}
