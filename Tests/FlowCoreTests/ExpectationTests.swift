import FlowSource
import Testing
@testable import FlowCore

/// Every expectation's failure message, whole.
@Suite struct ExpectationTests {
    static let run = RunResult(
        status: .succeeded, output: "Refund approved.",
        steps: [
            StepResult(id: "classify", model: ModelRef(provider: "mock", name: "m"), finishReason: .stop(raw: "stop"),
                       content: #"{"label": "billing", "score": 3, "tags": ["a"]}"#, usage: Usage(inputTokens: 100, outputTokens: 20),
                       latencyMs: 1, costUSD: 0.002, logprobs: [TokenLogprob(token: "{", logprob: -0.5)]),
            StepResult(id: "summarize", model: ModelRef(provider: "mock", name: "m"), finishReason: .length(raw: "length"),
                       content: "Refund approved.", usage: Usage(inputTokens: 50, outputTokens: 30), latencyMs: 1, costUSD: 0.001),
        ],
        error: nil,
        path: [PathEntry("classify", "stop", "next"), PathEntry("summarize", "length", "continue"), PathEntry("summarize", "stop", "next")])

    func message(_ kind: FlowCore.Expectation.Kind, step: String? = nil, negated: Bool = false) -> String? {
        Expectations.check(FlowCore.Expectation(kind: kind, step: step, negated: negated, mark: Mark(line: 1, column: 1)), result: Self.run)
    }

    @Test func textChecks() {
        #expect(message(.equals("Refund approved.")) == nil)
        #expect(message(.equals("Refund denied.")) == #"expected the output to equal "Refund denied.", got "Refund approved.""#)
        #expect(message(.contains("refund")) == #"expected the output to contain "refund", got "Refund approved.""#)
        #expect(message(.contains("Refund"), negated: true) == #"expected the output not to contain "Refund", got "Refund approved.""#)
        #expect(message(.notContains("approved")) == #"expected the output not to contain "approved", got "Refund approved.""#)
        #expect(message(.matches("(?i)^refund")) == nil)
        #expect(message(.matches("^denied")) == #"expected the output to match /^denied/, got "Refund approved.""#)
        #expect(message(.json) == #"expected the output to be JSON, got "Refund approved.""#)
        #expect(message(.json, step: "classify") == nil)
    }

    @Test func jsonPathAndSchema() {
        #expect(message(.jsonPath("$.label", equals: .string("billing"), matches: nil), step: "classify") == nil)
        #expect(message(.jsonPath("$.label", equals: .string("shipping"), matches: nil), step: "classify")
                == #"expected $.label in step classify to equal "shipping", got "billing""#)
        #expect(message(.jsonPath("$.tags[0]", equals: nil, matches: "^b"), step: "classify") == #"expected $.tags[0] in step classify to match /^b/, got "a""#)
        #expect(message(.jsonPath("$.missing", equals: .int(1), matches: nil), step: "classify") == "expected $.missing in step classify, but it is missing")
        let schema = JSON.object([("type", .string("object")), ("required", .array([.string("label"), .string("reason")])),
                                  ("properties", .object([("label", .object([("enum", .array([.string("billing"), .string("other")]))])),
                                                          ("score", .object([("type", .string("integer")), ("maximum", .int(2))])),
                                                          ("tags", .object([("type", .string("array")), ("items", .object([("type", .string("string")), ("minLength", .int(2))]))]))]))])
        #expect(message(.jsonSchema(schema), step: "classify")
                == "expected step classify to match the schema: $: missing required property 'reason' (#/required); $.score: expected at most 2, got 3 (#/properties/score/maximum); $.tags[0]: expected at least 2 characters, got 1 (#/properties/tags/items/minLength)")
    }

    @Test func stepAndRunChecks() {
        #expect(message(.finishReason("stop"), step: "summarize") == "expected finish_reason stop, got length at step summarize")
        #expect(message(.finishReason("length"), step: "summarize", negated: true) == "expected finish_reason not length, got length at step summarize")
        #expect(message(.path(["classify", "summarize"])) == nil)
        #expect(message(.path(["classify", "escalate"])) == "expected path classify → escalate, got classify → summarize")
        #expect(message(.confidence(0.7), step: "classify") == "expected confidence at least 0.7 at step classify, got 0.6065")
        #expect(message(.confidence(0.7), step: "summarize") == "expected a confidence at step summarize, but the answer has no log probabilities")
        #expect(message(.costAtMost(0.002)) == "expected cost_usd at most 0.002, got 0.003")
        #expect(message(.tokensAtMost(150)) == "expected tokens at most 150, got 200")
        #expect(message(.contains("x"), step: "escalate") == "expected step escalate to run, but it did not (path: classify → summarize)")
    }

    @Test func jsonPathLookups() throws {
        let json = try JSON.parse(#"{"a": {"b": [10, {"c": "x"}]}}"#)
        #expect(JSONPath.value(at: "$.a.b[1].c", in: json) == .string("x"))
        #expect(JSONPath.value(at: "$.a.b[5]", in: json) == nil)
        #expect(JSONPath.value(at: "a.b", in: json) == nil)
    }

    @Test func datasetsInThreeFormats() throws {
        #expect(try Datasets.rows(SourceFile(path: "d.jsonl", text: "{\"city\": \"Paris\"}\n\n{\"city\": \"Rome\", \"name\": \"r\"}\n"))
                == [["city": .string("Paris")], ["city": .string("Rome"), "name": .string("r")]])
        #expect(try Datasets.rows(SourceFile(path: "d.csv", text: "city,note\nParis,\"big, old\"\n\"Rome\",\"said \"\"hi\"\"\"\n"))
                == [["city": .string("Paris"), "note": .string("big, old")], ["city": .string("Rome"), "note": .string("said \"hi\"")]])
        #expect(try Datasets.rows(SourceFile(path: "d.yaml", text: "- {city: Paris, n: 2}\n")) == [["city": .string("Paris"), "n": .int(2)]])
        #expect(throws: Diagnostic(path: "d.jsonl", mark: Mark(line: 2, column: 1), message: "each line of a JSON Lines dataset must be a JSON object",
                                   sourceLine: "[1, 2]")) {
            try Datasets.rows(SourceFile(path: "d.jsonl", text: "{}\n[1, 2]\n"))
        }
        #expect(throws: Diagnostic(path: "d.csv", mark: Mark(line: 3, column: 1), message: "row has 1 fields, the header has 2", sourceLine: "c")) {
            try Datasets.rows(SourceFile(path: "d.csv", text: "a,b\n1,2\nc\n"))
        }
    }
}
