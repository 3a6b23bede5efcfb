import Foundation
import FlowCore
import FlowSource
import FlowTemplate
import FlowYAML
import FlowTestSupport

/// flow-bench: the figures of docs/performance.md. Prints a table, or `--json`;
/// `--filter WORD` runs only the benchmarks whose name contains WORD.
/// Throughput figures are the median of several rounds, each at least 0.2 s of work.

/// One figure: what, how much, and the target it is held to, if any.
struct Row {
    var name: String
    var value: Double
    var unit: String
    var target: String? = nil
    var met: Bool? = nil
}

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
let (schemaText, schemaInstance) = Workloads.schemaWorkload()
let schemaValidator = JSONSchemaValidator(schema: try JSON.parse(schemaText))
let schemaInstanceJSON = try JSON.parse(schemaInstance)
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
    try measure("JSON Schema validation (\(schemaInstance.utf8.count / 1000) KB instance, $ref, patterns)", bytes: schemaInstance.utf8.count, rounds: 5) {
        guard schemaValidator.isValid(schemaInstanceJSON) else { throw BenchError(message: "the schema workload does not validate") }
    },
].compactMap { $0 }

var rows: [Row] = results.map { Row(name: "e. " + $0.name, value: $0.megabytesPerSecond, unit: "MB/s") }
let processes = try ProcessBenchmarks()
defer { processes.removeScratch() }
func wanted(_ section: String) -> Bool { filter.map { section.contains($0) } ?? true }
if wanted("a. cold start") { rows += try processes.coldStart() }
if wanted("b. per-call") { rows += try await processes.perCallOverhead() }
if wanted("c. concurrency") { rows += try processes.concurrency() }
if wanted("d. memory") { rows += try processes.memory() }
if wanted("m. map") { rows += try processes.map() }
// FLOW_BENCH_LSP_EDITS=N makes fewer edits (the row's figures are for 10,000).
if wanted("l. lsp") { rows += try processes.languageServer(edits: ProcessInfo.processInfo.environment["FLOW_BENCH_LSP_EDITS"].flatMap { Int($0) } ?? 10_000) }
if wanted("g. recording") { rows += try processes.recording() }
// FLOW_BENCH_SERVE_RUNS=N posts fewer runs (the rows' figures are for 100,000).
if wanted("t. otlp") { rows += try processes.telemetryOverhead() }
if wanted("s. serve") { rows += try processes.serve(runs: ProcessInfo.processInfo.environment["FLOW_BENCH_SERVE_RUNS"].flatMap { Int($0) } ?? 100_000) }
if wanted("h. floods") { rows += try processes.floods() }
if wanted("f. rate limits") {
    // FLOW_BENCH_SCENARIO=WORDS runs only the rows whose scenario names them ("bare").
    let only = ProcessInfo.processInfo.environment["FLOW_BENCH_SCENARIO"]
    for scenario in ProcessBenchmarks.limitScenarios where only.map(scenario.name.contains) ?? true {
        rows += try processes.rateLimited(scenario)
    }
}

if json {
    print(JSON.object([("benchmarks", .array(rows.map { row in
        JSON.object(omittingNil: [("name", .string(row.name)), ("value", .double((row.value * 1000).rounded() / 1000)),
                                  ("unit", .string(row.unit)), ("target", row.target.map(JSON.string)), ("met", row.met.map(JSON.bool))])
    }))]).pretty)
} else {
    print("benchmark".padding(toLength: 58, withPad: " ", startingAt: 0) + "     value        target")
    for row in rows {
        let value = String(format: "%10.3f", row.value) + " " + row.unit.padding(toLength: 5, withPad: " ", startingAt: 0)
        let target = row.target.map { "\($0) \(row.unit)  " + (row.met == true ? "met" : "MISSED") } ?? ""
        print(row.name.padding(toLength: 58, withPad: " ", startingAt: 0) + value + "  " + target)
    }
}
