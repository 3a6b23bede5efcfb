import Foundation
import FlowSource
import FlowTestSupport
import FlowYAML
import Testing
@testable import FlowCore

/// `flow schema` checked by a validator no one here wrote (Python's `jsonschema`): every example
/// workflow fits it, and workflows `flow validate` refuses for their shape are refused by it too.
/// The schema's keys are the decoder's, tested here, so the two cannot drift.
@Suite struct SchemaTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python/validate_schema.py").path
    static let hasValidator = PythonModules.available("jsonschema")

    /// Each file as JSON, read by flow's YAML reader (YAML 1.2: `on:` is a key, not `true`).
    func json(ofYAML text: String, path: String) throws -> JSON {
        let node = try YAML.load(SourceFile(path: path, text: text))
        return node.map { JSON(WorkflowDecoder.templateValue($0)) } ?? .null
    }

    /// The validator's verdict on each document: "ok" or "invalid: …".
    func verdicts(_ documents: [(String, JSON)], schema: JSON) throws -> [String: String] {
        let directory = try TemporaryDirectory(prefix: "flow-schema")
        try directory.write("schema.json", schema.pretty)
        var paths: [String] = []
        for (name, document) in documents {
            try directory.write(name + ".json", document.serialized)
            paths.append(directory.path + "/" + name + ".json")
        }
        let result = try PythonModules.run(Self.script, [directory.path + "/schema.json"] + paths)
        #expect(result.status == 0, "\(result.stderr)")
        var verdicts: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            let text = String(line).replacingOccurrences(of: directory.path + "/", with: "")
            guard let colon = text.range(of: ".json: ") else { continue }
            verdicts[String(text[..<colon.lowerBound])] = String(text[colon.upperBound...])
        }
        return verdicts
    }

    @Test(.enabled(if: hasValidator, Comment(rawValue: PythonModules.missing("jsonschema"))))
    func everyExampleWorkflowFitsTheSchema() throws {
        let folder = FlowBinary.repository + "/workflows"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(names.count >= 15)
        let documents = try names.map { ($0, try json(ofYAML: String(contentsOfFile: folder + "/" + $0, encoding: .utf8), path: $0)) }
        let verdicts = try verdicts(documents, schema: FormatSchema.workflow)
        for name in names { #expect(verdicts[name] == "ok", "\(name): \(verdicts[name] ?? "no verdict")") }
    }

    /// Shapes flow validate refuses, each with the word its message must have.
    static let broken: [(name: String, yaml: String, flowSays: String)] = [
        ("unknown-top-key", "flow: 1\nmodel: mock/m\nstep: []\nsteps: [{id: a, user: hi}]\n", "unknown key 'step'"),
        ("unknown-step-key", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: hi, tempreature: 1}]\n", "unknown key 'tempreature'"),
        ("temperature-text", "flow: 1\nmodel: mock/m\nparams: {temperature: hot}\nsteps: [{id: a, user: hi}]\n", "temperature"),
        ("top-logprobs-range", "flow: 1\nmodel: mock/m\nparams: {top_logprobs: 50}\nsteps: [{id: a, user: hi}]\n", "top_logprobs"),
        ("parse-yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: hi, parse: yaml}]\n", "'parse' must be 'json'"),
        ("no-steps", "flow: 1\nmodel: mock/m\n", "missing required key 'steps'"),
        ("step-without-id", "flow: 1\nmodel: mock/m\nsteps: [{user: hi}]\n", "needs an 'id'"),
        ("map-without-as", "flow: 1\nmodel: mock/m\nvars: {xs: [a]}\nsteps: [{id: a, user: hi, map: {over: xs}}]\n", "needs 'as:'"),
        ("escape-xml", "flow: 1\nmodel: mock/m\nescape: xml\nsteps: [{id: a, user: hi}]\n", "'escape' must be"),
        ("bad-reason", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: hi, on: {done: end}}]\n", "is not a finish reason"),
        ("version-2", "flow: 2\nmodel: mock/m\nsteps: [{id: a, user: hi}]\n", "flow"),
        ("step-id-digit", "flow: 1\nmodel: mock/m\nsteps: [{id: 1st, user: hi}]\n", "must start with a letter"),
    ]

    @Test(.enabled(if: hasValidator, Comment(rawValue: PythonModules.missing("jsonschema"))))
    func whatFlowValidateRefusesForItsShapeTheSchemaRefusesToo() throws {
        let directory = try TemporaryDirectory(prefix: "flow-broken")
        for (name, yaml, flowSays) in Self.broken {
            try directory.write(name + ".yaml", yaml)
            do {
                _ = try WorkflowLoader.load(path: directory.path + "/" + name + ".yaml")
                Issue.record("\(name): flow validate accepted it")
            } catch {
                #expect(error.description.contains(flowSays), "\(name): \(error.description)")
            }
        }
        let documents = try Self.broken.map { ($0.name, try json(ofYAML: $0.yaml, path: $0.name)) }
        let verdicts = try verdicts(documents, schema: FormatSchema.workflow)
        for (name, _, _) in Self.broken {
            #expect(verdicts[name]?.hasPrefix("invalid: ") == true, "\(name): \(verdicts[name] ?? "no verdict")")
        }
    }

    @Test(.enabled(if: hasValidator, Comment(rawValue: PythonModules.missing("jsonschema"))))
    func theConfigSchemaTakesTheDocumentedExampleAndRefusesAnUnknownKey() throws {
        let good = try json(ofYAML: """
            providers:
              ollama: {base_url: "http://localhost:11434/v1", max_tokens_field: max_tokens, structured_output: json_schema}
            key_files: {anthropic: ~/.config/flow/anthropic.key}
            rate_limits: {openai: {rpm: 500, tpm: 200000}}
            """, path: "c")
        let bad = try json(ofYAML: "providers:\n  ollama: {url: http://x}\n", path: "d")
        let verdicts = try verdicts([("good", good), ("bad", bad)], schema: FormatSchema.config)
        #expect(verdicts["good"] == "ok", "\(verdicts)")
        #expect(verdicts["bad"]?.hasPrefix("invalid: ") == true, "\(verdicts)")
    }

    /// The schema's keys are the decoder's tables, each described.
    @Test func theSchemaHasExactlyTheDecodersKeysEachDescribed() throws {
        func keys(_ schema: JSON?) -> [String] { schema?["properties"]?.pairs.map(\.0) ?? [] }
        let workflow = FormatSchema.workflow
        let defs = workflow["$defs"]
        #expect(keys(workflow) == WorkflowDecoder.topLevelKeys)
        #expect(keys(defs?["step"]) == WorkflowDecoder.stepKeys)
        #expect(keys(defs?["map"]) == WorkflowDecoder.mapKeys)
        #expect(keys(defs?["params"]) == WorkflowDecoder.paramKeys)
        #expect(keys(defs?["testCase"]) == WorkflowDecoder.caseKeys)
        #expect(keys(defs?["variant"]) == WorkflowDecoder.variantKeys)
        let expectationKeys = Set(keys(defs?["expectation"]))
        #expect(expectationKeys.isSuperset(of: WorkflowDecoder.expectationKeys))
        #expect(keys(FormatSchema.config) == ProjectConfig.topKeys)
        // A key the decoder gained without a description here shows as "(undescribed)".
        #expect(!workflow.pretty.contains("(undescribed)"))
        #expect(!FormatSchema.config.pretty.contains("(undescribed)"))
    }

    @Test func flowSchemaPrintsItAndFlowInitNamesIt() throws {
        let printed = try FlowBinary.run(["schema"])
        #expect(try JSON.parse(printed.stdout)["$defs"]?["step"] != nil)
        let config = try FlowBinary.run(["schema", "--config"])
        #expect(try JSON.parse(config.stdout)["properties"]?["rate_limits"] != nil)
        let directory = try TemporaryDirectory()
        _ = try FlowBinary.run(["init", directory.path])
        let starter = try String(contentsOfFile: directory.path + "/workflows/summarize.yaml", encoding: .utf8)
        #expect(starter.hasPrefix("# yaml-language-server: $schema=../flow.schema.json\n"))
        #expect(try String(contentsOfFile: directory.path + "/flow.schema.json", encoding: .utf8) == printed.stdout)
    }
}
