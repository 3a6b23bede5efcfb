import FlowSource
import FlowTemplate
import FlowTestSupport
import Foundation
import Testing
@testable import FlowCore

/// Where a map's list comes from besides a step's answer: a dataset column, or a JSON array
/// given with --var.
@Suite struct MapInputsTests {
    let scratch: TemporaryDirectory
    init() throws { scratch = try TemporaryDirectory(prefix: "flow-map-inputs") }

    func load(_ text: String) throws(LoadError) -> LoadedWorkflow {
        try? scratch.write("w.yaml", text)
        return try WorkflowLoader.load(path: scratch.path + "/w.yaml")
    }

    @Test func aVariableReadsADatasetsColumnOrItsWholeRows() throws {
        try scratch.write("t.csv", "id,text\n1,first ticket\n2,\"second, with a comma\"\n")
        try scratch.write("t.jsonl", #"{"text": "a", "tags": ["x"]}"# + "\n" + #"{"text": "b", "tags": []}"# + "\n")
        let loaded = try load("""
            flow: 1
            model: mock/m
            vars:
              texts: {dataset: t.csv, column: text}
              rows: {dataset: t.jsonl}
            steps:
              - {id: a, user: "{{t}}", map: {over: "{{texts}}", as: t}}
              - {id: b, user: "{{r.text}} {{r.tags}}", map: {over: "{{rows}}", as: r}}
            """)
        let vars = Dictionary(uniqueKeysWithValues: loaded.workflow.vars.map { ($0.name, $0.defaultValue) })
        #expect(vars["texts"] == .list([.string("first ticket"), .string("second, with a comma")]))
        #expect(vars["rows"] == .list([.map(["text": .string("a"), "tags": .list([.string("x")])]), .map(["text": .string("b"), "tags": .list([])])]))
        // The files are named, with their sha256, in run_start as templates are.
        #expect(loaded.templateFiles.map { String($0.path.split(separator: "/").last ?? "") } == ["t.csv", "t.jsonl"])
    }

    @Test func aMissingColumnOrFileIsPlaced() throws {
        try scratch.write("t.csv", "id,txt\n1,first\n")
        do {
            _ = try load("""
                flow: 1
                model: mock/m
                vars:
                  texts: {dataset: t.csv, column: text}
                  more: {dataset: tickts.csv}
                steps:
                  - {id: a, user: "{{t}}", map: {over: "{{texts}}", as: t}}
                """)
            Issue.record("loaded")
        } catch {
            let text = error.description.replacingOccurrences(of: scratch.path + "/", with: "")
            #expect(text.contains("t.csv:2:1: error: this row has no column 'text', which 'texts' reads"), "\(text)")
            #expect(text.contains("did you mean 'txt'?"), "\(text)")
            #expect(text.contains("w.yaml:5:19: error: dataset 'tickts.csv' does not exist"), "\(text)")
        }
    }

    @Test func aJSONArrayGivenWithVarIsAListWhereTheWorkflowMapsOverIt() throws {
        let workflow = try load("""
            flow: 1
            model: mock/m
            vars: {tickets: null, note: null, doc: null}
            steps:
              - {id: a, user: "{{t}} {{note}}", map: {over: "{{tickets}}", as: t}}
              - {id: b, user: "{{c}}", map: {over: "{{doc}}", as: c, split: {max_tokens: 100}}}
            """).workflow
        let inputs = try Inputs.resolve(["tickets": #"["a", "b"]"#, "note": #"["kept as text"]"#, "doc": "[not json, but text to split"], for: workflow)
        #expect(inputs["tickets"] == .list([.string("a"), .string("b")]))
        #expect(inputs["note"] == .string(#"["kept as text"]"#), "text where nothing wants a list")
        #expect(inputs["doc"] == .string("[not json, but text to split"), "a split map wants text")
        #expect(throws: RunError.self) { try Inputs.resolve(["tickets": "[oops", "note": "", "doc": ""], for: workflow) }
    }
}
