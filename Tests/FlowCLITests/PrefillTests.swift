import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// OpenAI has no native prefill: it is sent as a trailing assistant message and the model often
/// answers with the whole object, prefill included. Such an answer is not prefixed twice.
@Suite struct PrefillTests {
    static let workflow = """
        flow: 1
        model: openai/gpt-4o-mini
        steps:
          - {id: extract, user: "Give the order as JSON.", prefill: "{", parse: json, save: order}
        output: "{{order.item}}"
        """

    func run(answer: String) throws -> FlowBinary.Result {
        let server = try StubServer { _ in StubServer.Response(body: OpenAIWire.completion(content: answer)) }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", Self.workflow)
        return try FlowBinary.run(["run", "w.yaml", "--json"], in: directory.path,
                                  environment: ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.baseURL + "/v1"])
    }

    @Test func anAnswerThatRepeatsTheEmulatedPrefillIsNotPrefixedAgain() throws {
        let whole = try run(answer: #"{"item": "tea"}"#)
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(try JSON.parse(whole.stdout)["output"] == .string("tea"))
        let rest = try run(answer: #""item": "tea"}"#)
        #expect(rest.status == 0, "an answer that continues the prefill still gets it")
        #expect(try JSON.parse(rest.stdout)["steps"]?.array?.first?["content"] == .string(#"{"item": "tea"}"#))
    }

    @Test func theInvalidJSONMessageNamesThePrefill() throws {
        let broken = try run(answer: "Sure! Here it is")
        #expect(broken.status == 1)
        let message = try JSON.parse(broken.stdout)["error"]?["message"]?.string ?? ""
        #expect(message.hasPrefix(#"step 'extract' asked for JSON (parse: json) and the answer is not valid JSON: the text parsed is the prefill "{" followed by the answer; "#), "\(message)")
    }

    @Test func nativePrefillIsAlwaysJoined() {
        #expect(Interpreter.joinPrefill("{", "{\"a\":1}", mode: .native) == "{{\"a\":1}")
        #expect(Interpreter.joinPrefill("{", "{\"a\":1}", mode: .trailingAssistantMessage) == "{\"a\":1}")
        #expect(Interpreter.joinPrefill(nil, "x", mode: .trailingAssistantMessage) == "x")
    }
}
