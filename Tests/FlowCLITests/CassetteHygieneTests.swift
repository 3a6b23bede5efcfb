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
        #expect(filtered.stderr.contains("--prune cannot be used with --filter, --shard or --variant"))
        // One variant re-recorded must not drop the other variants' recordings.
        let variant = try FlowBinary.run(["test", "w.yaml", "--live", "--record", "--prune", "--variant", "a"], in: directory.path)
        #expect(variant.status == 64 && variant.stderr.contains("the cases left out would lose their recordings"))
        #expect(try FlowBinary.run(["test", "w.yaml", "--prune"], in: directory.path).status == 64)
    }
}

/// Two recordings into one cassette at once keep every answer; a killed writer leaves nothing
/// readable by others.
@Suite struct ConcurrentRecordingTests {
    @Test func twoRecordingRunsKeepEveryAnswer() throws {
        let server = try StubServer { request in
            StubServer.Response(body: OpenAIWire.completion(content: "answer to " + (request.bodyText.contains("Oslo") ? "Oslo" : "other")),
                                delay: 0.2)
        }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let cities = ["Lisbon", "Porto", "Oslo", "Bergen"]
        try directory.write("w.yaml", """
            flow: 1
            model: openai/gpt-4o-mini
            vars: {city: x}
            steps: [{id: ask, user: "Tell me about {{city}}."}]
            tests:
            \(cities.map { "  - {name: \($0.lowercased()), vars: {city: \($0)}, expect: [{contains: answer}]}" }.joined(separator: "\n"))
            """)
        let environment = ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.baseURL + "/v1", "CI": "true"]
        // Two shards record at the same moment, one case at a time, each write racing the other's.
        let results = Locked<[Int32]>([])
        let path = directory.path
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let result = try? FlowBinary.run(["test", "w.yaml", "--live", "--record", "--shard", "\(index + 1)/2", "-j", "1"],
                                             in: path, environment: environment)
            results.withLock { $0.append(result?.status ?? -1) }
        }
        #expect(results.current == [0, 0])
        let text = try String(contentsOfFile: directory.path + "/w.cassette.json", encoding: .utf8)
        let cassette = try Cassette(json: try JSON.parse(text))
        #expect(cassette.interactions.count == 4, "every answer kept, none overwritten")
        #expect(try FlowBinary.run(["test", "w.yaml"], in: directory.path, environment: ["CI": "true"]).status == 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp.") }
        #expect(leftovers.isEmpty)
    }

    @Test func staleTemporariesAreRemovedAndNewOnesAreOwnerOnly() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/w.cassette.json"
        // A temporary left by a process that no longer exists (pid_max is far below this).
        let stale = CassetteFile.temporary(of: path, pid: 999_999_999)
        try "half a cassette".write(toFile: stale, atomically: false, encoding: .utf8)
        _ = try CassetteStore.open(path)
        #expect(!FileManager.default.fileExists(atPath: stale))
        try CassetteFile.replace(path, with: Data("{}".utf8))
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
    }
}
