import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// `n` on Anthropic, which has no such parameter: that many calls, merged into one recorded
/// answer whose choices the next step and `flow test` can read.
@Suite struct ChoicesEndToEndTests {
    static let workflow = """
        flow: 1
        model: anthropic/claude-haiku-4-5
        params: {max_tokens: 20}
        steps:
          - {id: pick, user: "Name a colour.", params: {n: 3}, save: colour}
          - {id: judge, user: "Which of {{pick.choices}} is warmest? You said {{colour}} first."}
        tests:
          - name: some choice is green
            expect: [{step: pick, contains: green, choices: any}]
          - name: every choice is green
            expect: [{step: pick, contains: green, choices: all}]
        """

    @Test func threeCallsMergedRecordedAndJudged() throws {
        let answers = ["red", "green", "blue", "red is warmest"]
        let calls = CallCounter()
        let server = try StubServer { _ in StubServer.Response(body: AnthropicWire.message(text: answers[min(calls.next(), 4) - 1], input: 10, output: 2)) }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", Self.workflow)
        let recorded = try FlowBinary.run(["run", "w.yaml", "--record", "--json"], in: directory.path,
                                          environment: ["ANTHROPIC_API_KEY": "sk-ant-test-0000", "ANTHROPIC_BASE_URL": server.baseURL])
        server.stop()
        #expect(recorded.status == 0, "\(recorded.stderr)")
        #expect(server.requests.count == 4)
        // Each of the three calls is a plain request: Anthropic is never sent an `n`.
        #expect(server.requests.prefix(3).allSatisfy { !$0.bodyText.contains(#""n""#) })
        let last = try JSON.parse(try #require(server.requests.last).body)
        let asked = last["messages"]?.array?.last?["content"]?.string ?? ""
        #expect(asked == #"Which of ["red","green","blue"] is warmest? You said red first."#, "\(asked)")
        let report = try JSON.parse(recorded.stdout)
        // The merged answer's usage is the three calls'.
        #expect(report["steps"]?[0]?["usage"]?["input_tokens"] == .int(30))

        let tested = try FlowBinary.run(["test", "w.yaml"], in: directory.path, environment: ["CI": "true"])
        #expect(tested.status == 1, "\(tested.stdout)")
        #expect(tested.stdout.contains("some choice is green   pass"), "\(tested.stdout)")
        #expect(tested.stdout.contains(#"choice 1: expected step pick to contain "green", got "red""#), "\(tested.stdout)")
    }
}
