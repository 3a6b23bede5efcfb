import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// Recording appends one journal line per answer and compacts once: linear in the answers, and
/// a run killed at any moment leaves a readable cassette and every answer it paid for.
@Suite struct CassetteJournalTests {
    static func interaction(_ text: String, answer: String) -> Cassette.Interaction {
        let request = Cassette.normalized(ChatRequest(model: "gpt-4o-mini", messages: [ChatMessage(.user, text)]), provider: "openai")
        return Cassette.Interaction(key: Cassette.key(request), step: "a", request: request,
                                    response: ChatResponse(content: answer, finishReason: .stop(raw: "stop"), usage: Usage(inputTokens: 3, outputTokens: 1)))
    }

    @Test func linesApplyInOrderAndACutLastLineIsSkipped() throws {
        var text = CassetteJournal.line(Self.interaction("one", answer: "first"))
        text += CassetteJournal.line(Cassette.ToolInteraction(name: "lookup", arguments: .object([("q", .string("x"))]), content: "42", isError: false))
        text += CassetteJournal.line(Self.interaction("one", answer: "again"))
        let whole = Array(text.utf8)
        var cassette = Cassette()
        #expect(try CassetteJournal.apply(whole + Array(#"{"interaction": {"key": "#.utf8), to: &cassette) == 3)
        #expect(cassette.interactions.count == 1 && cassette.interactions[0].response.content == "again", "the later recording wins")
        #expect(cassette.toolResults.map(\.content) == ["42"])
        var broken = Cassette()
        #expect(throws: CassetteError.self) { try CassetteJournal.apply(Array("not json\n".utf8) + whole, to: &broken) }
        #expect(CassetteJournal.path(of: "workflows/w.cassette.json") == "workflows/.w.cassette.json.journal")
        #expect(CassetteJournal.path(of: "w.cassette.json") == ".w.cassette.json.journal")
    }

    @Test func recordingAppendsAndFinishCompacts() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/w.cassette.json"
        let store = try CassetteStore.open(path)
        for index in 0..<50 { try store.record(Self.interaction("q\(index)", answer: "a\(index)")) }
        #expect(!FileManager.default.fileExists(atPath: path), "no answer rewrites the cassette")
        let journal = try String(contentsOfFile: store.journal, encoding: .utf8)
        #expect(journal.split(separator: "\n").count == 50)
        try store.finish()
        #expect(!FileManager.default.fileExists(atPath: store.journal))
        let cassette = try Cassette(json: try JSON.parse(try String(contentsOfFile: path, encoding: .utf8)))
        #expect(cassette.interactions.map(\.response.content) == (0..<50).map { "a\($0)" })
        // A journal left behind (a killed run) is compacted when the cassette is next opened.
        try CassetteFile.append(CassetteJournal.line(Self.interaction("late", answer: "kept")), to: store.journal)
        let reopened = try CassetteStore.open(path)
        #expect(reopened.current.interactions.count == 51)
        #expect(!FileManager.default.fileExists(atPath: store.journal))
        #expect(try Cassette(json: try JSON.parse(try String(contentsOfFile: path, encoding: .utf8))).interactions.count == 51)
    }

    @Test func aJournalThatDoesNotReadIsKeptAndNamed() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/w.cassette.json"
        try CassetteFile.append("{\"something\": 1}\n", to: CassetteJournal.path(of: path))
        #expect {
            _ = try CassetteStore.open(path)
        } throws: { error in
            "\(error)".contains(".w.cassette.json.journal") && "\(error)".contains("line 1")
        }
        #expect(FileManager.default.fileExists(atPath: CassetteJournal.path(of: path)), "nothing recorded is thrown away")
    }

    @Test func sigkillMidRecordingLeavesAReadableCassetteAndEveryAnswer() throws {
        let server = try StubServer(keepAlive: true) { request in
            StubServer.Response(body: OpenAIWire.completion(content: "fine " + request.bodyText.suffix(30).filter(\.isNumber)), delay: 0.05)
        }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.writeDatasetSuite(cases: 400)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FlowBinary.path)
        process.arguments = ["test", "w.yaml", "--live", "--record", "-j", "8"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        process.environment = ["PATH": "/usr/bin:/bin", "CI": "true", "OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.baseURL + "/v1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while server.requests.count < 60, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let answered = server.requests.count
        #expect(answered < 400, "killed mid-run")
        let journal = CassetteJournal.path(of: directory.path + "/w.cassette.json")
        let lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        // Every answer that came back before the kill is on disk (the 8 in flight may not be).
        #expect(lines.count >= answered - 8 && lines.count <= answered, "\(lines.count) lines for \(answered) requests")
        // The next run compacts the journal: the recorded cases replay, offline.
        let replay = try FlowBinary.run(["test", "w.yaml", "--json"], in: directory.path, environment: ["CI": "true"])
        let report = try JSON.parse(replay.stdout)
        #expect(report["passed"]?.int == lines.count, "every recorded case replays: \(replay.stderr)")
        #expect(!FileManager.default.fileExists(atPath: journal))
        let cassette = try Cassette(json: try JSON.parse(try String(contentsOfFile: directory.path + "/w.cassette.json", encoding: .utf8)))
        #expect(cassette.interactions.count == lines.count)
    }
}
