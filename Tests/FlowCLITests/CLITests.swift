import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// The command line as users meet it: help, usage errors, validate.
@Suite struct CLITests {
    @Test func binaryExists() {
        #expect(FileManager.default.isExecutableFile(atPath: FlowBinary.path),
                "build flow first (make test does): \(FlowBinary.path)")
    }

    @Test func version() throws {
        let result = try FlowBinary.run(["--version"])
        // A test build is a development build; make install passes the commit (README, Installing).
        #expect(result.stdout == "flow " + Interpreter.version + " (development build)\n")
        #expect(result.status == 0)
    }

    @Test func overviewListsSubcommands() throws {
        let result = try FlowBinary.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("OVERVIEW: flow runs declarative prompt workflows against LLM providers.\n"))
        #expect(result.stdout.contains("\nSUBCOMMANDS:\n  run                     Run a workflow and print its output.\n  validate                Check workflow files without running them.\n"))
    }

    @Test func helpRunEqualsRunHelp() throws {
        let viaHelp = try FlowBinary.run(["help", "run"])
        let viaFlag = try FlowBinary.run(["run", "--help"])
        #expect(viaHelp.stdout == viaFlag.stdout)
        #expect(viaFlag.stdout.hasPrefix("OVERVIEW: Run a workflow and print its output.\n"))
        #expect(viaFlag.stdout.contains("USAGE: flow run <file> [--var <key=value> ...] [--model <provider/model>] [--variant <name>] [--json] [--stream] [--verbose] [-j <n>] [--timeout <seconds>] [--retries <n>] [--max-wait <seconds>] [--record] [--replay] [--cassette <file>] [--batch] [--dataset <file>] [--live-tools] [--prices <file>] [--transcript-dir <dir>] [--otlp <url>] [--otlp-content]\n"))
        #expect(viaFlag.stdout.contains("\nARGUMENTS:\n  <file>                  The workflow file (YAML).\n"))
        #expect(viaFlag.stdout.contains("  -h, --help              Show help information.\n"))
        #expect(try FlowBinary.run(["validate", "-h"]).stdout.hasPrefix("OVERVIEW: Check workflow files without running them."))
    }

    @Test func unknownOptionSuggestsTheNearest() throws {
        let result = try FlowBinary.run(["run", "workflows/hello.yaml", "--jsno"])
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(result.stderr == """
            Error: Unknown option '--jsno'
            Hint: Did you mean '--json'?
            Usage: flow run <file> [--var <key=value> ...] [--model <provider/model>] [--variant <name>] [--json] [--stream] [--verbose] [-j <n>] [--timeout <seconds>] [--retries <n>] [--max-wait <seconds>] [--record] [--replay] [--cassette <file>] [--batch] [--dataset <file>] [--live-tools] [--prices <file>] [--transcript-dir <dir>] [--otlp <url>] [--otlp-content]
              See 'flow run --help' for more information.

            """)
    }

    @Test func unknownSubcommand() throws {
        let result = try FlowBinary.run(["rnu"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("Error: Unknown subcommand 'rnu'\nHint: Did you mean 'run'?\n"))
    }

    @Test func missingArgument() throws {
        let result = try FlowBinary.run(["run"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("Error: Missing expected argument '<file>'\n"))
    }

    @Test func validateBrokenFilePrintsPlaceAndExits65() throws {
        let directory = try TemporaryDirectory()
        try directory.write("bad.yaml", "flow: 1\nmodel: mock/x\nsteps:\n  - id: a\n    user: hi\n    tempreature: 1\n")
        let result = try FlowBinary.run(["validate", "bad.yaml"], in: directory.path)
        #expect(result.status == 65)
        #expect(result.stderr == """
            bad.yaml:6:5: error: unknown key 'tempreature' in a step
                tempreature: 1
                ^
            hint: known keys: id, user, prefill, params, model, save, parse, on, fresh, tools, schema, format_assertion, cache, map, call, vars, after

            """)
    }

    @Test func validateJSONAndExitCodes() throws {
        let directory = try TemporaryDirectory()
        try directory.write("good.yaml", "flow: 1\nmodel: mock/x\nsteps: [{id: a, user: hi}]\n")
        try directory.write("bad.yaml", "flow: 1\nsteps: [{id: a, user: hi}]\n")
        let good = try FlowBinary.run(["validate", "good.yaml"], in: directory.path)
        #expect(good.status == 0)
        #expect(good.stdout == "good.yaml: ok (1 step)\n")
        let missing = try FlowBinary.run(["validate", "none.yaml"], in: directory.path)
        #expect(missing.status == 66)
        #expect(missing.stderr == "none.yaml: error: file does not exist\n")
        let json = try FlowBinary.run(["validate", "--json", "good.yaml", "bad.yaml"], in: directory.path)
        #expect(json.status == 65)
        let reports = try JSON.parse(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(reports[0]?["valid"] == .bool(true))
        #expect(reports[1]?["valid"] == .bool(false))
        #expect(reports[1]?["errors"]?[0]?["line"] == .int(2))
        #expect(reports[1]?["errors"]?[0]?["column"] == .int(9))
        #expect(reports[1]?["errors"]?[0]?["message"] == .string("step 'a' has no model"))
    }

    @Test func unreachableStepIsAWarningNotAnError() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", "flow: 1\nmodel: mock/x\nsteps:\n  - {id: a, user: hi, on: {stop: end}}\n  - {id: orphan, user: hi}\n")
        let result = try FlowBinary.run(["validate", "w.yaml"], in: directory.path)
        #expect(result.status == 0)
        #expect(result.stderr == """
            w.yaml:5:5: warning: step 'orphan' is never reached
              - {id: orphan, user: hi}
                ^
            hint: no step goes to it and the step before it never moves on with 'next'

            """)
    }

    @Test func modelsListsProvidersKeysAndPrices() throws {
        let directory = try TemporaryDirectory()
        try directory.write("flow.config.yaml", "providers:\n  ollama: {base_url: \"http://127.0.0.1:11434/v1\"}\n")
        let result = try FlowBinary.run(["models", "--json"], in: directory.path, environment: ["OPENAI_API_KEY": "k"])
        #expect(result.status == 0)
        let report = try JSON.parse(result.stdout)
        let providers = report["providers"]?.array ?? []
        #expect(providers.first { $0["name"] == .string("openai") }?["key_set"] == .bool(true))
        #expect(providers.first { $0["name"] == .string("anthropic") }?["key_set"] == .bool(false))
        #expect(providers.contains { $0["name"] == .string("ollama") && $0["base_url"] == .string("http://127.0.0.1:11434/v1") })
        let mini = report["models"]?.array?.first { $0["model"] == .string("openai/gpt-4o-mini") }
        #expect(abs((mini?["input_per_million"]?.double ?? 0) - 0.15) < 1e-9)
        let text = try FlowBinary.run(["models", "--provider", "gemini"], in: directory.path)
        #expect(text.stdout.contains("  gemini/gemini-2.5-flash                    0.300    2.500    0.030        -\n"))
        #expect(!text.stdout.contains("openai/gpt-4o"))
    }

    @Test func shippedWorkflowsAreValid() throws {
        let workflows = try FileManager.default.contentsOfDirectory(atPath: FlowBinary.repository + "/workflows")
            .filter { $0.hasSuffix(".yaml") }.sorted().map { "workflows/" + $0 }
        #expect(!workflows.isEmpty)
        let result = try FlowBinary.run(["validate"] + workflows)
        #expect(result.status == 0, "\(result.stderr)")
    }
}

extension TemporaryDirectory {
    convenience init() throws { try self.init(prefix: "flow-cli") }

    /// w.yaml: one OpenAI step whose `cases` cases (cases.jsonl, each its own prompt) expect an
    /// answer containing "fine": the shape of a large eval suite.
    func writeDatasetSuite(cases: Int) throws {
        try write("cases.jsonl", (0..<cases).map { #"{"name": "case \#($0)", "n": "\#($0)"}"# }.joined(separator: "\n") + "\n")
        try write("w.yaml", """
            flow: 1
            model: openai/gpt-4o-mini
            vars: {n: null}
            steps: [{id: a, user: "n={{n}}"}]
            tests: [{dataset: cases.jsonl, expect: [{contains: fine}]}]
            """)
    }

    /// Every transcript under `.flow/runs`, a live `flow test`'s case folders included.
    func transcripts() throws -> [String] {
        let directory = path + "/.flow/runs"
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        let found = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        return found.filter { $0.hasSuffix(".jsonl") }.sorted().map { directory + "/" + $0 }
    }
}
