import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// What a case or a dataset row may set, expectations over each row's own expected answer, and
/// scripted answers to a workflow's questions.
@Suite struct CaseDataTests {
    static let workflow = """
        flow: 1
        model: mock/m
        vars: {audience: developers, ticket: null}
        steps:
          - {id: label, user: "Label this ticket for {{audience}}: {{ticket}}"}
        tests:
        """

    func project(_ tests: String, files: [String: String] = [:]) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", Self.workflow + "\n" + tests)
        for (name, text) in files { try directory.write(name, text) }
        return directory
    }

    @Test func aMisspelledCaseVariableIsAnErrorWithDidYouMean() throws {
        let directory = try project("""
              - name: typo
                vars: {audeince: managers, ticket: refund please}
                mock: [billing]
            """)
        let result = try FlowBinary.run(["validate", "w.yaml"], in: directory.path)
        #expect(result.status == 65)
        #expect(result.stderr.contains("""
            w.yaml:8:12: error: test 'typo' sets 'audeince', which is not a variable of the workflow
                vars: {audeince: managers, ticket: refund please}
                       ^
            hint: did you mean 'audience'?
            """))
    }

    @Test func aMisspelledDatasetColumnIsAnErrorInEveryFormat() throws {
        let tests = """
              - {name: rows, dataset: rows.jsonl, mock: [billing]}
              - {name: table, dataset: rows.csv, mock: [billing]}
              - {name: list, dataset: rows.yaml, mock: [billing]}
            """
        let directory = try project(tests, files: [
            "rows.jsonl": #"{"ticket": "a"}"# + "\n" + #"{"ticket": "b", "audeince": "ops"}"# + "\n",
            "rows.csv": "ticket,audiense\nrefund,ops\n",
            "rows.yaml": "- {ticket: a}\n- {ticket: b, tikcet: c}\n",
        ])
        let result = try FlowBinary.run(["validate", "w.yaml"], in: directory.path)
        #expect(result.status == 65)
        #expect(result.stderr.contains("rows.jsonl:2:1: error: the dataset sets 'audeince', which is not a variable of the workflow"))
        #expect(result.stderr.contains("rows.csv:1:8: error: the dataset sets 'audiense', which is not a variable of the workflow"))
        #expect(result.stderr.contains("rows.yaml:2:3: error: the dataset sets 'tikcet', which is not a variable of the workflow"))
        #expect(result.stderr.contains("hint: did you mean 'audience'?"))
        #expect(result.stderr.contains("hint: did you mean 'ticket'?"))
    }

    @Test func dataOnlyColumnsAndColumnsExpectationsReadAreNotUnknown() throws {
        let directory = try project("""
              - name: rows
                dataset: rows.csv
                data: [notes]
                mock: [billing]
                expect: [{step: label, equals: "{{expected}}"}]
            """, files: ["rows.csv": "ticket,expected,notes\nrefund,billing,from the March export\n"])
        let result = try FlowBinary.run(["test", "w.yaml"], in: directory.path, environment: ["CI": "true"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// The most common eval shape: each row carries its expected answer.
    @Test(arguments: [
        ("rows.jsonl", #"{"ticket": "refund", "expected": "billing"}"# + "\n" + #"{"ticket": "crash", "expected": "bug"}"# + "\n"),
        ("rows.csv", "ticket,expected\nrefund,billing\ncrash,bug\n"),
        ("rows.yaml", "- {ticket: refund, expected: billing}\n- {ticket: crash, expected: bug}\n"),
    ])
    func expectationsAreTemplatesOverEachRow(file: String, rows: String) throws {
        let directory = try project("""
              - name: labels
                dataset: \(file)
                mock: [billing]
                expect:
                  - {step: label, equals: "{{expected}}"}
                  - {not: {contains: "{{ticket}}"}}
            """, files: [file: rows])
        let result = try FlowBinary.run(["test", "w.yaml", "--json"], in: directory.path)
        #expect(result.status == 1, "the mock always says billing, so the crash row fails")
        let report = try JSON.parse(result.stdout)
        let cases = report["cases"]?.array ?? []
        #expect(cases.map { $0["passed"] } == [.bool(true), .bool(false)])
        #expect(cases.last?["failures"]?.array?.first?["message"] == .string(#"expected step label to equal "bug", got "billing""#))
    }

    @Test func anExpectationNamingAMissingValueFailsTheCaseSayingSo() throws {
        let directory = try project("""
              - name: one
                vars: {ticket: refund}
                data: [expected]
                mock: [billing]
                expect: [{equals: "{{expected}}"}]
            """)
        let result = try FlowBinary.run(["test", "w.yaml", "--json"], in: directory.path)
        #expect(result.status == 1)
        let message = try JSON.parse(result.stdout)["cases"]?.array?.first?["failures"]?.array?.first?["message"]?.string ?? ""
        #expect(message.hasPrefix("the expectation's template: "), "\(message)")
        #expect(message.contains("expected"))
    }

    @Test func scriptedInputsAnswerTheQuestionsInOrder() throws {
        let directory = try TemporaryDirectory()
        try directory.write("tutor.yaml", """
            flow: 1
            model: mock/m
            steps:
              - id: turn
                user: {ask: "You: ", exit: [quit]}
                on: {stop: turn}
            tests:
              - name: two questions then quit
                inputs: ["hi", "what is a decorator?", "quit"]
                mock: [Hello!, "A decorator wraps a function."]
                expect:
                  - {step: turn, contains: wraps a function}
                  - {path: [turn, turn, turn]}
              - name: input runs out
                inputs: ["hi"]
                mock: [Hello!]
                expect: [{path: [turn, turn]}]
            """)
        let result = try FlowBinary.run(["test", "tutor.yaml", "--json"], in: directory.path)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(try JSON.parse(result.stdout)["passed"] == .int(2))
    }
}
