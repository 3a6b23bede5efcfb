import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// Variants side by side, judged expectations, and the HTML report (`flow test --html`,
/// `flow report`, `flow show --html`), end to end through the binary.
@Suite struct CompareAndShowTests {
    static let summarize = FlowBinary.repository + "/workflows/summarize.yaml"

    @Test func theExampleComparesTwoModelsAndTwoPromptsWithAJudge() throws {
        let directory = try TemporaryDirectory()
        let result = try FlowBinary.run(["test", Self.summarize, "--json"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        let cases = try JSON.parse(result.stdout)["cases"]?.array ?? []
        #expect(cases.count == 8)
        #expect(Set(cases.compactMap { $0["variant"]?.string }) == ["mini-v1", "mini-v2", "haiku-v1", "haiku-v2"])
        #expect(cases.allSatisfy { $0["passed"] == .bool(true) && $0["mode"]?.string == "replay" && $0["cost_usd"] == .double(0) })
        // Offline, the cells still compare on what their answers cost when recorded — the judge's call included.
        #expect(cases.allSatisfy { ($0["answer_cost_usd"]?.double ?? 0) > 0 })
        let cassette = try Cassette(json: try JSON.parse(try String(contentsOfFile: FlowBinary.repository + "/workflows/summarize.cassette.json", encoding: .utf8)))
        let judged = cassette.interactions.filter { $0.step == "judge" }
        #expect(judged.count >= 4 && judged.allSatisfy { $0.request["response_schema"] != nil })
        #expect(Set(cassette.interactions.compactMap(\.variant)) == ["mini-v1", "mini-v2", "haiku-v1", "haiku-v2"])
        let refund = cases.first { $0["name"]?.string == "refund window" && $0["variant"]?.string == "mini-v1" }
        let summaryCall = cassette.interactions.first { $0.step == "summary" && $0.variant == "mini-v1"
            && ($0.request["messages"]?[1]?["content"]?.string ?? "").contains("refunds") }
        #expect((refund?["tokens"]?.int ?? 0) > (summaryCall.map { $0.response.usage.inputTokens + $0.response.usage.outputTokens } ?? .max),
                "the case's tokens count the judge's call too")

        let text = try FlowBinary.run(["test", Self.summarize], in: directory.path)
        #expect(text.stdout.contains("case           mini-v1") && text.stdout.contains("list cost") && text.stdout.contains("8 passed, 0 failed"),
                "\(text.stdout)")
        // JUnit tells the cells apart: one testcase per case and variant.
        _ = try FlowBinary.run(["test", Self.summarize, "--junit", "junit.xml"], in: directory.path)
        let junit = try String(contentsOfFile: directory.path + "/junit.xml", encoding: .utf8)
        #expect(junit.contains("<testcase name=\"refund window [haiku-v2]\"") && junit.contains("tests=\"8\""), "\(junit)")
        let one = try FlowBinary.run(["test", Self.summarize, "--variant", "haiku-v2", "--json"], in: directory.path)
        #expect(try JSON.parse(one.stdout)["cases"]?.array?.count == 2)
        // One variant runs and renders on its own, replayed from the recordings flow test made.
        let notice = "notice=From 1 April, refunds for annual plans are possible within 30 days of payment and are paid back to the "
            + "original payment method within 5 working days. Ask for one from Billing in your account settings."
        let run = try FlowBinary.run(["run", Self.summarize, "--variant", "haiku-v2", "--replay", "--var", notice, "--transcript-dir", "runs"],
                                     in: directory.path)
        #expect(run.status == 0 && run.stdout.hasPrefix("From 1 April, annual plans can be refunded"), "\(run.stdout) \(run.stderr)")
        let render = try FlowBinary.run(["render", Self.summarize, "--variant", "mini-v2", "--var", notice], in: directory.path)
        #expect(render.stdout.contains("at most two sentences") && render.stdout.contains("gpt-4o-mini"), "\(render.stdout)")
        let unknown = try FlowBinary.run(["test", Self.summarize, "--variant", "haiku-2"], in: directory.path)
        #expect(unknown.status == 64 && unknown.stderr.contains("--variant haiku-2: no workflow here has that variant (did you mean 'haiku-v2'?)"),
                "\(unknown.stderr)")
    }

    @Test func everyExampleReportsOfflineAsHTMLAndMarkdown() throws {
        let directory = try TemporaryDirectory()
        let result = try FlowBinary.run(["test", FlowBinary.repository + "/workflows", "--html", "r.html", "--markdown", "r.md"], in: directory.path)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        let markdown = try String(contentsOfFile: directory.path + "/r.md", encoding: .utf8)
        #expect(markdown.hasPrefix("### flow test: ") && markdown.contains("| case | mini-v1 | mini-v2 | haiku-v1 | haiku-v2 |"), "\(markdown)")
        #expect(markdown.contains("| case | workflow | result | runs | cost |"), "the workflows without variants keep their table")
        let page = try String(contentsOfFile: directory.path + "/r.html", encoding: .utf8)
        #expect(page.contains("summarize.yaml") && page.contains("triage.yaml") && page.contains("\"variants\":[\"mini-v1\""))
    }

    static let judged = """
        flow: 1
        model: mock/m
        steps:
          - {id: answer, user: "Summarise the notice."}
        tests:
          - name: complete
            mock: ["Refunds within 30 days.", '{"score": 5, "reason": "It has the window."}']
            expect:
              - judge: {rubric: "Gives the refund window.", model: mock/judge}
          - name: vague
            mock: ["Refunds are possible.", '{"score": 2, "reason": "It leaves out the 30-day window."}']
            expect:
              - judge: {rubric: "Gives the refund window.", model: mock/judge}
          - name: off the scale
            mock: ["Refunds.", '{"score": 9, "reason": "Great."}']
            expect:
              - judge: {rubric: "Gives the refund window.", model: mock/judge}

        """

    @Test func aJudgedCaseFailsWithTheJudgesReason() throws {
        let directory = try TemporaryDirectory()
        try directory.write("flow.config.yaml", "")
        try directory.write("w.yaml", Self.judged)
        let result = try FlowBinary.run(["test", "w.yaml", "--json"], in: directory.path)
        #expect(result.status == 1)
        let cases = try JSON.parse(result.stdout)["cases"]?.array ?? []
        #expect(cases.map { $0["passed"] } == [.bool(true), .bool(false), .bool(false)])
        #expect(cases[1]["failures"]?[0]?["message"]?.string
                == "judge mock/judge scored the output 2 on 1-5, expected >= 4: It leaves out the 30-day window.", "\(cases[1])")
        // A verdict outside the scale fails the judge's schema: no verdict, never a pass.
        #expect(cases[2]["failures"]?[0]?["message"]?.string?.contains("the judge mock/judge gave no verdict") == true, "\(cases[2])")

        // A project's own judge prompt is used, and checked when the workflow loads.
        try FileManager.default.createDirectory(atPath: directory.path + "/templates", withIntermediateDirectories: true)
        try directory.write("templates/judge.rubric.mustache", "Grade {{answr}} by {{rubric}}.")
        let invalid = try FlowBinary.run(["validate", "w.yaml"], in: directory.path)
        #expect(invalid.status == 65 && invalid.stderr.contains("templates/judge.rubric.mustache:1:7: error: a judge's prompt cannot read 'answr'")
                && invalid.stderr.contains("did you mean 'answer'?"), "\(invalid.stderr)")
    }

    @Test func theHTMLReportIsOneFileWithNoKeyInIt() throws {
        let directory = try TemporaryDirectory()
        try directory.write("flow.config.yaml", "")
        let secret = "sk-proj-THIS-IS-A-SECRET-VALUE-1234"
        try directory.write("w.yaml", """
            flow: 1
            model: mock/m
            vars: {token: null}
            mock: ["Hello there."]
            steps:
              - {id: answer, user: "Use {{token}} to log in."}
            tests:
              - name: the key in a prompt
                vars: {token: "\(secret)"}
                mock: ["Logged in."]
                expect: [{contains: "Logged"}, {not: {contains: "in."}}]
            """)
        let environment = ["MY_SERVICE_API_KEY": secret]
        let result = try FlowBinary.run(["test", "w.yaml", "--html", "r.html", "--json", "--traces"], in: directory.path, environment: environment)
        #expect(result.status == 1, "\(result.stderr)")
        let page = try String(contentsOfFile: directory.path + "/r.html", encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.contains("Logged in."))
        #expect(!page.contains(secret) && page.contains(Redaction.marker))
        #expect(!result.stdout.contains(secret), "the --json traces are redacted too")
        // Self-contained: nothing is fetched, so it opens from file:// and as a CI artifact.
        for outside in ["<script src", "<link", "@import", "url(", "http://", "https://"] { #expect(!page.contains(outside), "\(outside)") }

        // flow report makes the same page from the results; flow show --html from a transcript.
        try directory.write("results.json", result.stdout)
        let report = try FlowBinary.run(["report", "results.json", "--output", "again.html"], in: directory.path, environment: environment)
        #expect(report.status == 0 && report.stderr.contains("wrote again.html"), "\(report.stderr)")
        let again = try String(contentsOfFile: directory.path + "/again.html", encoding: .utf8)
        #expect(again.contains("Logged in.") && again.contains("not contains") && !again.contains(secret))
        let run = try FlowBinary.run(["run", "w.yaml", "--var", "token=abc"], in: directory.path)
        #expect(run.status == 0, "\(run.stderr)")
        let show = try FlowBinary.run(["show", "--html", "run.html"], in: directory.path)
        #expect(show.status == 0, "\(show.stderr)")
        let single = try String(contentsOfFile: directory.path + "/run.html", encoding: .utf8)
        #expect(single.contains("data-open=\"0\"") && single.contains("Hello there.") && single.contains("flow run: w"))
        let missing = try FlowBinary.run(["report", "nope.json"], in: directory.path)
        #expect(missing.status == 66 && missing.stderr.contains("nope.json: error:"))
    }
}
