import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// Re-recording keeps cassettes current: the miss hint names the command that records in the
/// context at hand, and --prune drops recordings no case uses any more.
@Suite struct CassetteHygieneTests {
    static func workflow(_ question: String) -> String {
        """
        flow: 1
        model: openai/gpt-4o-mini
        vars: {city: Lisbon}
        steps:
          - {id: ask, user: "\(question) {{city}}?"}
        tests:
          - {name: lisbon, expect: [{contains: answer}]}
          - {name: porto, vars: {city: Porto}, expect: [{contains: answer}]}
        """
    }

    func record(_ directory: TemporaryDirectory, _ arguments: [String] = []) throws -> FlowBinary.Result {
        let server = try StubServer { _ in StubServer.Response(body: OpenAIWire.completion(content: "an answer")) }
        defer { server.stop() }
        return try FlowBinary.run(["test", "w.yaml", "--live", "--record"] + arguments, in: directory.path,
                                  environment: ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.baseURL + "/v1", "CI": "true"])
    }

    func cassette(_ directory: TemporaryDirectory) throws -> Cassette {
        try Cassette(json: try JSON.parse(try String(contentsOfFile: directory.path + "/w.cassette.json", encoding: .utf8)))
    }

    @Test func aReplayMissInFlowTestNamesTheCommandThatRecordsThere() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", Self.workflow("What is in"))
        #expect(try record(directory).status == 0)
        try directory.write("w.yaml", Self.workflow("What is there in"))
        let result = try FlowBinary.run(["test", "w.yaml"], in: directory.path, environment: ["CI": "true"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("record it again with 'flow test w.yaml --live --record'"), "\(result.stdout)")
        #expect(!result.stdout.contains("with --record"))
    }

    @Test func pruneDropsWhatNoCaseUsed() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", Self.workflow("What is in"))
        #expect(try record(directory).status == 0)
        #expect(try cassette(directory).interactions.count == 2)

        // The prompt changed: a plain re-record adds the new answers and keeps the stale ones…
        try directory.write("w.yaml", Self.workflow("What is there in"))
        #expect(try record(directory).status == 0)
        #expect(try cassette(directory).interactions.count == 4)
        // …and --prune drops the two no case used.
        let pruned = try record(directory, ["--prune"])
        #expect(pruned.status == 0)
        #expect(pruned.stderr.contains("w.cassette.json: dropped 2 recordings no case used"))
        let kept = try cassette(directory)
        #expect(kept.interactions.count == 2)
        #expect(kept.interactions.allSatisfy { $0.request.serialized.contains("What is there in") })
        #expect(try FlowBinary.run(["test", "w.yaml"], in: directory.path, environment: ["CI": "true"]).status == 0)
    }

    @Test func pruneRefusesPartialRuns() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", Self.workflow("What is in"))
        let filtered = try FlowBinary.run(["test", "w.yaml", "--live", "--record", "--prune", "--filter", "porto"], in: directory.path)
        #expect(filtered.status == 64)
        #expect(filtered.stderr.contains("--prune cannot be used with --filter or --shard"))
        #expect(try FlowBinary.run(["test", "w.yaml", "--prune"], in: directory.path).status == 64)
    }
}
