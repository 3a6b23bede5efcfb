import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// Extended thinking through a tool loop, end to end against the stub speaking Anthropic's
/// format: the request asks for thinking, the signed thinking block goes back unchanged with the
/// tool result, the transcript keeps the thinking, and the saved answer does not.
@Suite struct ThinkingToolLoopTests {
    static let workflow = """
        flow: 1
        model: anthropic/claude-sonnet-4-5
        params: {max_tokens: 4096, reasoning: {budget_tokens: 2048}}
        tools:
          weather:
            description: The weather in a city.
            parameters: {type: object, properties: {city: {type: string}}, required: [city]}
            run: [sh, weather.sh]
        steps:
          - {id: ask, user: "Weather in Paris?", tools: [weather], save: answer}
        output: "{{answer}}"
        """

    static let firstAnswer = #"""
        {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[
        {"type":"thinking","thinking":"I should look the weather up.","signature":"EqQBsigFROMSTUB"},
        {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris"}}],
        "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":40,"output_tokens":30}}
        """#

    @Test func theSignedThinkingGoesBackWithTheToolResult() throws {
        let server = try StubServer { request in
            StubServer.Response(body: request.bodyText.contains(#""tool_result""#)
                                ? AnthropicWire.message(text: "It is 18 C in Paris.") : Self.firstAnswer)
        }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", Self.workflow)
        try directory.write("weather.sh", "cat >/dev/null; echo 18 C")
        let result = try FlowBinary.run(["run", "w.yaml"], in: directory.path,
                                        environment: ["ANTHROPIC_API_KEY": "sk-ant-test-key-0", "ANTHROPIC_BASE_URL": server.baseURL])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "It is 18 C in Paris.\n")
        let requests = server.requests.map { try? JSON.parse($0.body) }
        #expect(requests.count == 2)
        #expect(requests.first??["thinking"] == .object([("type", .string("enabled")), ("budget_tokens", .int(2048))]))
        let resent = requests.last??["messages"]?.array?[1]["content"]?.array?.first
        #expect(resent == .object([("type", .string("thinking")), ("thinking", .string("I should look the weather up.")),
                                   ("signature", .string("EqQBsigFROMSTUB"))]))
        let transcript = try String(contentsOfFile: try #require(try directory.transcripts().first), encoding: .utf8)
        let responses = try transcript.split(separator: "\n").map { try JSON.parse(String($0)) }.filter { $0["type"]?.string == "response" }
        #expect(responses.first?["reasoning"]?.string == "I should look the weather up.")
        #expect(responses.last?["reasoning"] == nil && responses.last?["content"]?.string == "It is 18 C in Paris.")
        // flow show prints the thinking apart, before the answer it led to.
        let shown = try FlowBinary.run(["show"], in: directory.path)
        #expect(shown.stdout.contains("  thinking:\n    I should look the weather up.\n"), "\(shown.stdout)")
    }
}
