import FlowSource
import FlowYAML
import Testing
@testable import FlowCore

/// promptfoo assertions as flow expectations, each as promptfoo's documentation defines it; what
/// flow cannot check is listed, never turned into a check that passes.
@Suite struct PromptfooAssertionTests {
    func expectations(_ yaml: String) throws -> (checks: [String], notes: [String]) {
        let node = try #require(try YAML.load(SourceFile(path: "c.yaml", text: yaml)))
        var notes: [String] = []
        let checks = PromptfooAssertions(judgeModel: "openai/gpt-4o-mini", judgeModelNamed: true).expectations(node) { notes.append("\($0): \($1)") }
        return (checks, notes)
    }

    @Test(arguments: [
        ("{type: equals, value: Paris}", ["{equals: \"Paris\"}"]),
        ("{type: equals, value: {a: 1}}", ["{json: {\"a\": 1}}"]),
        ("{type: not-contains, value: sorry}", ["{not_contains: \"sorry\"}"]),
        ("{type: icontains-all, value: 'a.b, c'}", ["{matches: \"(?i)a\\\\.b\"}", "{matches: \"(?i)c\"}"]),
        ("{type: starts-with, value: 'Summary -'}", ["{matches: \"^Summary -\"}"]),
        ("{type: is-json, value: file://schema.json}", ["{json_schema: {file: \"schema.json\"}}"]),
        ("{type: is-json}", ["{json: true}"]),
        ("{type: cost, threshold: 0.002}", ["{cost_usd: 0.002}"]),
        ("{type: contains, value: '{{ expected }}'}", ["{contains: \"{{expected}}\"}"]),
        ("{type: factuality, value: Paris is the capital}", ["{judge: {compare_to: \"Paris is the capital\", criteria: factual, model: \"openai/gpt-4o-mini\"}}"]),
        ("{type: llm-rubric, value: polite, threshold: 0.75}", ["{judge: {rubric: \"polite\", model: \"openai/gpt-4o-mini\", pass: \">= 4\"}}"]),
        ("{type: not-contains-any, value: [a, b]}", ["{not: {matches: \"(a|b)\"}}"]),
        ("{type: not-regex, value: '\\d+'}", ["{not: {matches: \"\\\\d+\"}}"]),
    ])
    func mapsToAFlowExpectation(_ yaml: String, _ expected: [String]) throws {
        #expect(try expectations(yaml).checks == expected)
    }

    @Test(arguments: ["{type: javascript, value: output.length < 9}", "{type: similar, value: x}", "{type: latency, threshold: 100}",
                      "{type: not-contains-all, value: [a, b]}", "{type: answer-relevance}"])
    func whatFlowCannotCheckIsListed(_ yaml: String) throws {
        let (checks, notes) = try expectations(yaml)
        #expect(checks.isEmpty)
        #expect(notes.count == 1 && notes[0].contains("not carried over"), "\(notes)")
    }

    @Test func weightsAreListed() throws {
        let (checks, notes) = try expectations("{type: contains, value: x, weight: 3}")
        #expect(checks == ["{contains: \"x\"}"] && notes.first?.contains("weight") == true)
    }

    @Test(arguments: [("contains: Hello", "contains", "Hello"), ("Paris", "equals", "Paris"), ("similar(0.8):Hello there", "similar", "Hello there"),
                      ("not-icontains: as an AI", "not-icontains", "as an AI")])
    func csvExpectedCellsAreReadAsPromptfooReadsThem(_ cell: String, _ type: String, _ value: String) {
        let node = PromptfooAssertions.cell(cell, line: 3)
        #expect(node["type"]?.scalar?.text == type && node["value"]?.scalar?.text == value)
    }
}
