import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// `flow test --batch` against loopback fakes of OpenAI's, Anthropic's and Gemini's Batch APIs: a
/// two-step workflow with a `length → continue` branch goes breadth-first through the cassette,
/// ends with a cassette `flow test` replays offline, and a killed run resumes its batch.
@Suite struct BatchRunTests {
    /// Even drafts are cut at max_tokens and continued; every case is then checked.
    static let answer: FakeBatchAPI.Answer = { body in
        let text = body.serialized
        if text.contains("Check it") { return ("checked", "stop") }
        if text.contains("part one") { return (" and part two", "stop") }
        let number = Int(text.components(separatedBy: "Draft ").last?.prefix { $0.isNumber } ?? "") ?? 1
        return number % 2 == 0 ? ("part one", "length") : ("a whole draft", "stop")
    }

    static func suite(_ directory: TemporaryDirectory, model: String, cases: Int) throws {
        try directory.write("cases.jsonl", (0..<cases).map { #"{"name": "case \#($0)", "n": "\#($0)"}"# }.joined(separator: "\n") + "\n")
        try directory.write("w.yaml", """
            flow: 1
            model: \(model)
            vars: {n: null}
            params: {max_tokens: 50}
            steps:
              - id: draft
                user: "Draft {{n}}"
                params: {max_tokens: 20}
                on: {length: {continue: 2}}
              - id: check
                user: "Check it."
            tests: [{dataset: cases.jsonl, expect: [{contains: checked}]}]
            """)
    }

    static func environment(_ fake: FakeBatchAPI) -> [String: String] {
        ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": fake.server.baseURL + "/v1", "ANTHROPIC_API_KEY": "sk-ant-test",
         "ANTHROPIC_BASE_URL": fake.server.baseURL, "GEMINI_API_KEY": "gm-test", "GEMINI_BASE_URL": fake.server.baseURL,
         "FLOW_BATCH_POLL_SECONDS": "0.02", "CI": "true"]
    }

    @Test func aJudgedSuiteRunsThroughBatchesTheJudgesInTheNextRound() throws {
        let fake = try FakeBatchAPI(answer: { body in
            let text = body.serialized
            if text.contains("You are grading") {
                return (text.contains("summary of 3") ? #"{"score": 2, "reason": "It is about the wrong notice."}"# : #"{"score": 5, "reason": "Fine."}"#, "stop")
            }
            return ("summary of " + (text.components(separatedBy: "Summarise notice ").last?.prefix { $0.isNumber } ?? ""), "stop")
        })
        let directory = try TemporaryDirectory()
        try directory.write("cases.jsonl", (0..<5).map { #"{"name": "case \#($0)", "n": "\#($0)"}"# }.joined(separator: "\n") + "\n")
        try directory.write("w.yaml", """
            flow: 1
            model: openai/gpt-4o-mini
            vars: {n: null}
            steps: [{id: summary, user: "Summarise notice {{n}}."}]
            tests: [{dataset: cases.jsonl, expect: [{judge: {rubric: "Summarises the notice.", model: openai/gpt-4o-mini}}]}]
            """)
        let result = try FlowBinary.run(["test", "w.yaml", "--batch", "--json"], in: directory.path, environment: Self.environment(fake))
        #expect(result.status == 1, "case 3's judge fails it: \(result.stderr)")
        let report = try JSON.parse(result.stdout)
        // Round 1: the five summaries; round 2: the five judges, which read them.
        #expect(fake.submitted.count == 2 && fake.requestsSubmitted == 10, "\(fake.submitted) \(fake.requestsSubmitted)")
        #expect(report["passed"] == .int(4))
        let failed = report["cases"]?.array?.first { $0["passed"] == .bool(false) }
        #expect(failed?["name"] == .string("case 3") && failed?["failures"]?[0]?["message"]?.string?.hasSuffix("It is about the wrong notice.") == true,
                "\(String(describing: failed))")
        // Everything, judges included, is in the cassette: the same suite replays offline.
        let replay = try FlowBinary.run(["test", "w.yaml", "--json"], in: directory.path)
        #expect(try JSON.parse(replay.stdout)["passed"] == .int(4), "\(replay.stderr)")
    }

    @Test func aMappedStepSendsAllItsItemsInOneRound() throws {
        let fake = try FakeBatchAPI(answer: { body in
            let text = body.serialized
            return (text.contains("Join") ? "joined" : "label", "stop")
        })
        let directory = try TemporaryDirectory()
        try directory.write("cases.jsonl", (0..<3).map { #"{"name": "case \#($0)", "n": "\#($0)"}"# }.joined(separator: "\n") + "\n")
        try directory.write("w.yaml", """
            flow: 1
            model: openai/gpt-4o-mini
            vars: {n: null, items: [a, b, c, d, e, f]}
            steps:
              - {id: each, user: "Label {{n}}-{{item}}", map: {over: "{{items}}", as: item, concurrency: 2}, save: labels}
              - {id: join, user: "Join {{labels}}"}
            tests: [{dataset: cases.jsonl, expect: [{equals: joined}]}]
            """)
        let result = try FlowBinary.run(["test", "w.yaml", "--batch", "--json"], in: directory.path, environment: Self.environment(fake))
        #expect(result.status == 0, "\(result.stderr)")
        // Round 1: every case's six items, whatever the map's concurrency; round 2: the joins, which
        // read the same labels in every case and so are one request, sent once.
        #expect(fake.submitted.count == 2 && fake.requestsSubmitted == 19, "\(fake.submitted) \(fake.requestsSubmitted)")
        let replay = try FlowBinary.run(["test", "w.yaml", "--json"], in: directory.path)
        #expect(try JSON.parse(replay.stdout)["passed"] == .int(3), "\(replay.stderr)")
    }

    @Test(arguments: ["openai/gpt-4o-mini", "anthropic/claude-haiku-4-5", "gemini/gemini-2.5-flash"])
    func aTwoStepSuiteRunsThroughBatchesAndReplaysOffline(model: String) throws {
        let fake = try FakeBatchAPI(answer: Self.answer)
        let directory = try TemporaryDirectory()
        try Self.suite(directory, model: model, cases: 200)
        let result = try FlowBinary.run(["test", "w.yaml", "--batch", "--json", "-j", "16"], in: directory.path, environment: Self.environment(fake))
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        #expect(report["passed"] == .int(200))
        // Round 1: 200 drafts; round 2: 100 continuations and 100 checks; round 3: 100 checks.
        #expect(fake.submitted.count == 3 && fake.requestsSubmitted == 500, "\(fake.submitted) \(fake.requestsSubmitted)")
        #expect(report["batch"]?["rounds"] == .int(4))
        #expect(report["batch"]?["answered"] == .int(500))
        #expect(report["cases"]?.array?.allSatisfy { $0["mode"] == .string("batch") } == true)
        // At half the list price: 500 answers of 10 in / 5 out tokens.
        let ref = try #require(ModelRef(parsing: model))
        let price = try #require(PriceTable.builtIn.cost(Usage(inputTokens: 5000, outputTokens: 2500), model: ref))
        #expect(abs((report["batch"]?["cost_usd"]?.double ?? 0) - price / 2) < 1e-9)
        #expect(result.stderr.contains("submitted") && result.stderr.contains("batch: 500 requests answered in 3 batches submitted"), "\(result.stderr.suffix(300))")
        // The cassette replays offline: no key, no network.
        let replay = try FlowBinary.run(["test", "w.yaml", "--json"], in: directory.path, environment: ["CI": "true"])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(try JSON.parse(replay.stdout)["passed"] == .int(200))
        let ledger = (try? FileManager.default.contentsOfDirectory(atPath: directory.path + "/.flow/batches")) ?? []
        #expect(ledger.isEmpty, "every batch read is forgotten")
    }

    @Test func aKilledBatchRunResumesItsBatchInsteadOfPayingTwice() throws {
        let fake = try FakeBatchAPI(pollsUntilDone: 40, answer: Self.answer)
        let directory = try TemporaryDirectory()
        try Self.suite(directory, model: "openai/gpt-4o-mini", cases: 20)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FlowBinary.path)
        process.arguments = ["test", "w.yaml", "--batch"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        process.environment = Self.environment(fake).merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while fake.submitted.isEmpty, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        Thread.sleep(forTimeInterval: 0.1)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(fake.submitted.count == 1, "killed while its first batch was in flight")
        let status = try FlowBinary.run(["batch", "status", "--json"], in: directory.path, environment: Self.environment(fake))
        let listed = try JSON.parse(status.stdout)["batches"]?.array ?? []
        #expect(listed.count == 1 && listed.first?["requests"] == .int(20) && listed.first?["state"] == .string("in_progress"), "\(status.stdout)")

        let again = try FlowBinary.run(["test", "w.yaml", "--batch", "--json"], in: directory.path, environment: Self.environment(fake))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try JSON.parse(again.stdout)["batch"]?["resumed"] == .int(1))
        #expect(fake.submitted.count == 3, "the first batch was resumed, not submitted again: \(fake.submitted)")
    }

    @Test func aDatasetRunsThroughOneWorkflowInBatches() throws {
        let fake = try FakeBatchAPI(answer: Self.answer)
        let directory = try TemporaryDirectory()
        try Self.suite(directory, model: "openai/gpt-4o-mini", cases: 30)
        let result = try FlowBinary.run(["run", "w.yaml", "--batch", "--dataset", "cases.jsonl", "--json"], in: directory.path,
                                        environment: Self.environment(fake))
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        let rows = report["rows"]?.array ?? []
        #expect(rows.count == 30 && rows.allSatisfy { $0["output"] == .string("checked") }, "\(result.stdout.prefix(400))")
        #expect(rows.first?["name"] == .string("case 0"))
        #expect(report["batch"]?["answered"] == .int(75) && fake.submitted.count == 3)
        // Each row's path is in the cassette: one row replays offline.
        let replay = try FlowBinary.run(["run", "w.yaml", "--replay", "--var", "n=4"], in: directory.path, environment: ["CI": "true"])
        #expect(replay.status == 0 && replay.stdout.contains("checked"), "\(replay.stderr)")
        let missing = try FlowBinary.run(["run", "w.yaml", "--batch"], in: directory.path, environment: Self.environment(fake))
        #expect(missing.status == 64 && missing.stderr.contains("--batch needs --dataset FILE"))
    }

    @Test func cancelStopsTheBatchesInFlight() async throws {
        let fake = try FakeBatchAPI(pollsUntilDone: 10_000, answer: Self.answer)
        let directory = try TemporaryDirectory()
        try Self.suite(directory, model: "anthropic/claude-haiku-4-5", cases: 4)
        let ledger = BatchLedger(directory: directory.path + "/.flow/batches")
        let client = try ProviderRegistry(environment: Self.environment(fake), transport: URLSessionTransport(), mockReplies: [])
            .batchClient(for: try #require(ModelRef(parsing: "anthropic/claude-haiku-4-5")))
        let running = try await client.submit([BatchItem(customID: String(repeating: "a", count: 64),
                                                         request: ChatRequest(model: "claude-haiku-4-5", messages: [ChatMessage(.user, "Draft 1")],
                                                                              params: SamplingParams(maxTokens: 20)))])
        try ledger.save(BatchLedger.Entry(digest: "d1", model: "anthropic/claude-haiku-4-5", batchID: running.id, requests: 1,
                                          cassette: "w.cassette.json", submittedAt: "2026-11-25T10:00:00Z", state: running.providerState))
        try FileManager.default.createDirectory(atPath: directory.path + "/.git", withIntermediateDirectories: true)
        let cancelled = try FlowBinary.run(["batch", "cancel", running.id], in: directory.path, environment: Self.environment(fake))
        #expect(cancelled.status == 0, "\(cancelled.stderr)")
        #expect(cancelled.stdout.contains(running.id) && cancelled.stdout.contains("ended"), "\(cancelled.stdout)")
        let missing = try FlowBinary.run(["batch", "cancel", "msgbatch_nope"], in: directory.path, environment: Self.environment(fake))
        #expect(missing.status == 66 && missing.stderr.contains("no batch 'msgbatch_nope'"))
    }
}

