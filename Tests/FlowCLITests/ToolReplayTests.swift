import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// Tool results live in the cassette: a replay runs no tool (no side effects in offline CI),
/// `--live-tools` runs them and shows where a result moved away from the recording.
@Suite struct ToolReplayTests {
    static let workflow = """
        flow: 1
        model: openai/gpt-4o-mini
        params: {max_tokens: 50}
        tools:
          note:
            description: Write a note down.
            parameters: {type: object, properties: {text: {type: string}}}
            run: [sh, note.sh]
        steps:
          - {id: ask, user: "Note that the sky is blue.", tools: [note]}
        tests:
          - name: noted
            expect: [{contains: done}]
        """

    /// The tool appends a line to side-effects.txt beside it: what a replay must not do.
    static let script = #"cat >/dev/null; echo ran >> "$(dirname "$0")/side-effects.txt"; echo "noted""#

    static let toolCall = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,\
        "message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",\
        "function":{"name":"note","arguments":"{\\"text\\":\\"the sky is blue\\"}"}}]},"finish_reason":"tool_calls"}],\
        "usage":{"prompt_tokens":20,"completion_tokens":8,"total_tokens":28}}
        """

    func sideEffects(_ directory: TemporaryDirectory) -> Int {
        ((try? String(contentsOfFile: directory.path + "/side-effects.txt", encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    @Test func replayAnswersToolsFromTheCassetteAndLiveToolsShowTheDrift() throws {
        let server = try StubServer { request in
            StubServer.Response(body: request.bodyText.contains(#""role":"tool""#)
                                ? OpenAIWire.completion(content: "done: noted") : Self.toolCall)
        }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", Self.workflow)
        try directory.write("note.sh", Self.script)
        let recorded = try FlowBinary.run(["run", "w.yaml", "--record"], in: directory.path,
                                          environment: ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.baseURL + "/v1"])
        server.stop()
        #expect(recorded.status == 0, "\(recorded.stderr)")
        #expect(sideEffects(directory) == 1)
        let cassette = try Cassette(json: try JSON.parse(try String(contentsOfFile: directory.path + "/w.cassette.json", encoding: .utf8)))
        #expect(cassette.toolResults.map(\.content) == ["noted\n"])
        #expect(cassette.toolResults.first?.arguments == .object([("text", .string("the sky is blue"))]))

        // Replays, by flow run and by flow test, run no tool.
        let replayed = try FlowBinary.run(["run", "w.yaml", "--replay"], in: directory.path)
        #expect(replayed.status == 0, "\(replayed.stderr)")
        #expect(replayed.stdout == "done: noted\n")
        let tested = try FlowBinary.run(["test", "w.yaml"], in: directory.path, environment: ["CI": "true"])
        #expect(tested.status == 0, "\(tested.stdout)")
        #expect(sideEffects(directory) == 1, "a replay has no side effects")

        // The tool changed: --live-tools runs it and shows how its result moved.
        try directory.write("note.sh", Self.script.replacingOccurrences(of: #"echo "noted""#, with: #"echo "noted twice""#))
        let live = try FlowBinary.run(["run", "w.yaml", "--replay", "--live-tools"], in: directory.path)
        #expect(sideEffects(directory) == 2)
        #expect(live.stderr.contains("warning: tool 'note' (arguments {\"text\":\"the sky is blue\"}) gave another result than the recording:\n  - noted\n  + noted twice\n"))
        let liveTest = try FlowBinary.run(["test", "w.yaml", "--live-tools"], in: directory.path, environment: ["CI": "true"])
        #expect(liveTest.status == 1)
        #expect(liveTest.stdout.contains("gave another result than the recording"))
    }

    @Test func aReplayWithoutTheToolsResultSaysHowToRecordIt() async throws {
        var cassette = Cassette()
        cassette.record(tool: .init(name: "note", arguments: .object([("text", .string("a"))]), content: "noted a", isError: false))
        let store = CassetteStore(path: "/nonexistent/w.cassette.json", cassette: cassette)
        let inner = ScriptedTools([:])
        let runner = CassetteToolRunner(inner: inner, store: store, mode: .replay, live: false) { _ in }
        let tool = ToolDeclaration(name: "note", description: "", parameters: .object([]), run: ["false"], timeout: 1, environment: [],
                                   mark: .init(line: 1, column: 1))
        let hit = await runner.run(tool, arguments: .object([("text", .string("a"))]))
        #expect(hit.content == "noted a" && !hit.isError)
        let miss = await runner.run(tool, arguments: .object([("text", .string("b"))]))
        #expect(miss.isError)
        #expect(miss.content.contains("no recorded result for tool 'note'") && miss.content.contains("--live-tools"))
        #expect(await inner.calls.isEmpty, "the tool ran during a replay")
    }
}

