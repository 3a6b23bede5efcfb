import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// A schema in a workflow is checked by `flow validate`, each problem at its line and column:
/// a check that cannot fail is refused before it runs.
@Suite struct SchemaValidationTests {
    @Test func badSchemasFailValidationAtTheirPlace() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", """
            flow: 1
            model: mock/m
            steps: [{id: a, user: hi}]
            mock: ['{"name": "x"}']
            tests:
              - expect:
                  - json_schema:
                      $schema: http://json-schema.org/draft-07/schema#
                      type: objekt
                      properties:
                        name: {type: string, minLenght: 2, pattern: "["}
                        size: {minLength: "3", $ref: "#/$defs/nope"}
                        link: {$ref: "https://example.com/schema.json"}
                      patternProperties:
                        "(": true
                      allOf: []
            """)
        let result = try FlowBinary.run(["validate", "w.yaml"], in: directory.path)
        #expect(result.status == 65)
        let text = result.stderr
        for expected in [
            "w.yaml:8:20: error: flow validates JSON Schema draft 2020-12, not 'http://json-schema.org/draft-07/schema#'",
            "w.yaml:9:17: error: 'objekt' is not a JSON Schema type",
            "hint: did you mean 'object'?",
            "w.yaml:11:34: error: unknown keyword 'minLenght' in the schema",
            "hint: did you mean 'minLength'?",
            "w.yaml:11:57: error: '[' is not a valid regular expression",
            "w.yaml:12:31: error: 'minLength' takes a whole number of 0 or more, got \"3\"",
            "w.yaml:12:42: error: $ref '#/$defs/nope' does not resolve in this schema",
            "w.yaml:13:26: error: $ref 'https://example.com/schema.json' is on the network; flow does not fetch schemas",
            "w.yaml:15:13: error: '(' is not a valid regular expression",
            "w.yaml:16:18: error: 'allOf' takes a non-empty list of schemas",
        ] {
            #expect(text.contains(expected), "missing: \(expected)\n\(text)")
        }
    }

    @Test func aGoodSchemaValidatesAndChecksAnswers() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", """
            flow: 1
            model: mock/m
            steps: [{id: a, user: hi}]
            tests:
              - name: good
                mock: ['{"items": [{"sku": "a-1", "qty": 2}]}']
                expect: [{json_schema: {$ref: "#/$defs/order", $defs: {order: {type: object, required: [items], properties: {items: {type: array, minItems: 1, items: {$ref: "#/$defs/line"}}}, unevaluatedProperties: false}, line: {type: object, properties: {sku: {pattern: "^[a-z]-\\\\d$"}, qty: {type: integer, minimum: 1}}, required: [sku, qty]}}}}]
              - name: bad
                mock: ['{"items": [{"sku": "a-1", "qty": 0}, {"sku": "B"}], "note": 1}']
                expect: [{json_schema: {$ref: "#/$defs/order", $defs: {order: {type: object, required: [items], properties: {items: {type: array, minItems: 1, items: {$ref: "#/$defs/line"}}}, unevaluatedProperties: false}, line: {type: object, properties: {sku: {pattern: "^[a-z]-\\\\d$"}, qty: {type: integer, minimum: 1}}, required: [sku, qty]}}}}]
            """)
        #expect(try FlowBinary.run(["validate", "w.yaml"], in: directory.path).status == 0)
        let result = try FlowBinary.run(["test", "w.yaml", "--json"], in: directory.path, environment: ["CI": "true"])
        let cases = try JSON.parse(result.stdout)["cases"]?.array ?? []
        #expect(cases.first?["passed"] == .bool(true))
        let message = cases.last?["failures"]?.array?.first?["message"]?.string ?? ""
        for expected in ["$.items[0].qty: expected at least 1, got 0 (#/$defs/line/properties/qty/minimum)",
                         "$.items[1]: missing required property 'qty'", "$.items[1].sku: expected to match /^[a-z]-\\d$/",
                         "$.note: no value is allowed here (false schema)"] {
            #expect(message.contains(expected), "missing: \(expected)\n\(message)")
        }
    }
}

/// Schema files shared by a step and the expectations that check the same shape.
@Suite struct SchemaFileTests {
    @Test func aSchemaFileServesAStepAndAnExpectation() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/.git", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory.path + "/schemas", withIntermediateDirectories: true)
        try directory.write("schemas/order.json", """
            {
              "type": "object",
              "properties": {"qty": {"type": "integer", "minimum": 1}},
              "required": ["qty"]
            }
            """)
        try directory.write("w.yaml", """
            flow: 1
            model: mock/m
            steps: [{id: a, user: x, schema: {file: schemas/order.json}}]
            tests:
              - {name: fits, mock: ['{"qty": 2}'], expect: [{schema: {file: schemas/order.json}}]}
              - {name: misfit, mock: ['{"qty": 0}'], expect: [{json: true}]}
            """)
        let result = try FlowBinary.run(["test", "w.yaml", "--json"], in: directory.path, environment: ["CI": "true"])
        let cases = try JSON.parse(result.stdout)["cases"]?.array ?? []
        #expect(cases.first?["passed"] == .bool(true), "\(result.stdout)")
        #expect(cases.last?["failures"]?.array?.first?["message"]?.string?.contains("$.qty: expected at least 1, got 0") == true, "\(result.stdout)")

        try directory.write("schemas/bad.json", "{\n  \"type\": \"object\",\n  \"propertes\": {}\n}\n")
        try directory.write("bad.yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: x, schema: {file: schemas/bad.json}}]\n")
        let bad = try FlowBinary.run(["validate", "bad.yaml"], in: directory.path)
        #expect(bad.status == 65 && bad.stderr.contains("schemas/bad.json:3:3: error: unknown keyword 'propertes' in the schema"), "\(bad.stderr)")
        try directory.write("out.yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: x, schema: {file: ../../etc/x.json}}]\n")
        let outside = try FlowBinary.run(["validate", "out.yaml"], in: directory.path)
        #expect(outside.status == 65 && outside.stderr.contains("is outside the project directory"), "\(outside.stderr)")
    }

    @Test func refsToOtherSchemaFilesAreBundled() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/.git", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory.path + "/schemas/common", withIntermediateDirectories: true)
        try directory.write("schemas/order.json", #"{"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "common/line.json"}}}, "required": ["items"]}"#)
        try directory.write("schemas/common/line.json", ##"{"type": "object", "properties": {"qty": {"$ref": "#/$defs/qty"}}, "required": ["qty"], "$defs": {"qty": {"type": "integer", "minimum": 1}}}"##)
        try directory.write("w.yaml", """
            flow: 1
            model: mock/m
            steps: [{id: a, user: x, schema: {file: schemas/order.json}}]
            tests:
              - {name: fits, mock: ['{"items": [{"qty": 2}]}']}
              - {name: misfit, mock: ['{"items": [{"qty": 0}]}']}
              - {name: inline, mock: ['{"items": [{"qty": 1}]}'], expect: [{schema: {properties: {items: {items: {$ref: "schemas/common/line.json"}}}}}]}
            """)
        let result = try FlowBinary.run(["test", "w.yaml", "--json"], in: directory.path, environment: ["CI": "true"])
        let cases = try JSON.parse(result.stdout)["cases"]?.array ?? []
        #expect(cases.map { $0["passed"] } == [.bool(true), .bool(false), .bool(true)], "\(result.stdout)\n\(result.stderr)")
        let message = cases.dropFirst().first?["failures"]?.array?.first?["message"]?.string ?? ""
        #expect(message.contains("$.items[0].qty: expected at least 1, got 0 (#/$defs/schemas~1common~1line.json/$defs/qty/minimum)"), "\(message)")
        try directory.write("gone.yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: x, schema: {$ref: schemas/missing.json}}]\n")
        let gone = try FlowBinary.run(["validate", "gone.yaml"], in: directory.path)
        #expect(gone.status != 0 && gone.stderr.contains("missing.json"), "\(gone.stderr)")
    }

    @Test func formatAssertionIsAnOptIn() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", """
            flow: 1
            model: mock/m
            steps: [{id: a, user: x, schema: {properties: {when: {format: date}}}, format_assertion: true}]
            tests:
              - {name: annotation, mock: ['{"when": "2026-11-25"}'], expect: [{schema: {properties: {when: {format: date}}}}]}
              - {name: asserted, mock: ['{"when": "2026-11-25"}'], expect: [{schema: {properties: {when: {format: email}}}, format_assertion: true}]}
            """)
        let result = try FlowBinary.run(["test", "w.yaml", "--json"], in: directory.path, environment: ["CI": "true"])
        let cases = try JSON.parse(result.stdout)["cases"]?.array ?? []
        #expect(cases.map { $0["passed"] } == [.bool(true), .bool(false)], "\(result.stdout)")
        #expect(cases.last?["failures"]?.array?.first?["message"]?.string?.contains("expected a valid email") == true)
        try directory.write("bad.yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: x, format_assertion: true}]\ntests: [{mock: [x], expect: [{contains: x, format_assertion: true}]}]\n")
        let bad = try FlowBinary.run(["validate", "bad.yaml"], in: directory.path)
        #expect(bad.status == 65 && bad.stderr.contains("'format_assertion' goes with 'schema:' on the step")
                && bad.stderr.contains("'format_assertion' goes with a schema check (json_schema or schema), not 'contains'"), "\(bad.stderr)")
        // A step's schema asserts its formats: a date that is not one is a misfit.
        try directory.write("step.yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: x, schema: {properties: {when: {format: date}}}, format_assertion: true}]\nmock: ['{\"when\": \"soon\"}']\n")
        let step = try FlowBinary.run(["run", "step.yaml"], in: directory.path)
        #expect(step.status == 1 && step.stderr.contains("$.when: expected a valid date"), "\(step.stderr)")
    }
}
