import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// Every example in workflows/ runs offline (mock provider) and takes the path it documents.
@Suite struct ExampleWorkflowTests {
    struct Example: Sendable, CustomTestStringConvertible {
        var file: String
        var path: [String]
        var output: String
        var testDescription: String { file }
    }

    static let examples = [
        Example(file: "hello", path: ["greet:stop:next", "exercise:stop:next"], output: "Hello Ada! Welcome to Swift."),
        Example(file: "persona", path: ["answer:stop:next"], output: "Think of a variable as a labelled locker"),
        Example(file: "haiku", path: ["haiku:stop:next"], output: "Rain on tin rooftops\ncounting the last warm evenings"),
        Example(file: "extract", path: ["entities:stop:next"], output: "People: Ada Lovelace; Charles Babbage; \nPlaces: London; \nYears: 1833;"),
        Example(file: "sentiment", path: ["classify:stop:goto escalate", "escalate:stop:next"], output: "mixed"),
        Example(file: "continuation", path: ["story:length:continue", "story:length:continue", "story:stop:next"],
                output: "The keeper climbed the stairs at dusk. A ship's light blinked back through the fog. He lit the lamp"),
        Example(file: "fallback", path: ["answer:content_filter:retry", "answer:stop:next"], output: "In the scene, the thief"),
        Example(file: "tools", path: ["stats:tool_calls:tools", "stats:stop:next"], output: "The text has 9 words in 3 sentences."),
    ]

    @Test(arguments: examples)
    func runsOfflineAlongItsPath(_ example: Example) throws {
        let directory = try TemporaryDirectory()
        let result = try FlowBinary.run(["run", FlowBinary.repository + "/workflows/\(example.file).yaml", "--json"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        let path = (report["path"]?.array ?? []).map { "\($0["step"]?.string ?? ""):\($0["finish_reason"]?.string ?? ""):\($0["action"]?.string ?? "")" }
        #expect(path == example.path)
        #expect(report["output"]?.string?.hasPrefix(example.output) == true, "\(report["output"]?.string ?? "nil")")
    }

    @Test func demoReplaysItsCassetteWithBranchesTokensAndCost() throws {
        let directory = try TemporaryDirectory()
        let result = try FlowBinary.run(["run", FlowBinary.repository + "/workflows/triage.yaml", "--replay", "--json"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        #expect(report["path"]?.serialized == #"[{"step":"classify","finish_reason":"stop","action":"goto reply"},{"step":"reply","finish_reason":"length","action":"continue"},{"step":"reply","finish_reason":"stop","action":"end"}]"#)
        #expect(report["totals"]?["input_tokens"] == .int(441))
        // A replay spends nothing; the recording cost gpt-4o-mini: 441 × $0.15/M + 162 × $0.60/M.
        #expect(report["totals"]?["cost_usd"] == .double(0))
        #expect(abs((report["totals"]?["recorded_cost_usd"]?.double ?? 0) - 0.00016335) < 1e-12)
        let show = try FlowBinary.run(["show", directory.path + "/" + (report["transcript"]?.string ?? "")], in: directory.path)
        #expect(show.stdout.contains("  → length: continue\n"))
        #expect(!show.stdout.contains("\u{1B}["), "no colour when piped")
        // The terminal's colours live in the CLI; FORCE_COLOR asks for them through a pipe.
        let coloured = try FlowBinary.run(["show", directory.path + "/" + (report["transcript"]?.string ?? "")], in: directory.path,
                                          environment: ["FORCE_COLOR": "1"])
        #expect(coloured.stdout.contains("\u{1B}[32msucceeded\u{1B}[0m"))
    }

    @Test func ticketsExampleReplaysAMapOfThreeItemsAndItsReduce() throws {
        let directory = try TemporaryDirectory()
        let result = try FlowBinary.run(["run", FlowBinary.repository + "/workflows/tickets.yaml", "--replay", "--json"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        // Three items replayed side by side, saved in the tickets' order, then one reduce call.
        #expect(report["output"]?.string?.hasPrefix(#"["billing","bug","billing"]"# + "\n2 billing tickets") == true, "\(report["output"]?.string ?? "nil")")
        #expect(report["totals"]?["calls"] == .int(4))
        #expect((report["path"]?.array ?? []).map { $0["step"]?.string ?? "" } == ["classify", "classify", "classify", "summary"])
        let show = try FlowBinary.run(["show", directory.path + "/" + (report["transcript"]?.string ?? "")], in: directory.path)
        #expect(show.stdout.contains("── step classify · item 3 · openai/gpt-4o-mini"), "\(show.stdout.prefix(400))")
        let cassette = try Cassette(json: try JSON.parse(try String(contentsOfFile: FlowBinary.repository + "/workflows/tickets.cassette.json", encoding: .utf8)))
        #expect(cassette.interactions.count == 4)
    }

    @Test func supportExampleMapsPicksAndCallsTheReplyWorkflowForEachBillingTicket() throws {
        let directory = try TemporaryDirectory()
        let result = try FlowBinary.run(["run", FlowBinary.repository + "/workflows/support.yaml", "--replay", "--json"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        let output = report["output"]?.string ?? ""
        // Two billing tickets of four, each answered by reply.yaml with its own system prompt.
        #expect(output.contains("charged twice") && output.contains("Settings → Billing → Invoices") && !output.contains("dark mode"), "\(output)")
        #expect(report["totals"]?["calls"] == .int(7), "4 classify, 1 pick, 2 drafts by the callee")
        let transcript = try TranscriptReader.read(directory.path + "/" + (report["transcript"]?.string ?? ""))
        let starts = transcript.all(.callStart)
        #expect(starts.count == 2 && starts.allSatisfy { $0["workflow"]?.string?.hasSuffix("workflows/reply.yaml") == true })
        let drafts = transcript.all(.request).filter { $0["call"]?.string == "replies" }
        #expect(drafts.count == 2)
        #expect(drafts.allSatisfy { $0["messages"]?.array?.first?["content"]?.string?.hasPrefix("You write short, apologetic replies") == true })
        let show = try FlowBinary.run(["show", transcript.path], in: directory.path)
        #expect(show.stdout.contains("── step replies calls") && show.stdout.contains("│ ── step draft · item 2"), "\(show.stdout.suffix(900))")
        let cost = try FlowBinary.run(["cost", transcript.path, "--include-replays", "--json"], in: directory.path)
        #expect(cost.stdout.contains(#""reply""#), "the callee's calls count under its own name: \(cost.stdout.prefix(400))")
        // Both workflows' own tests replay offline: the caller's from its cassette, the callee's from its mock replies.
        for file in ["support.yaml", "reply.yaml"] {
            let tested = try FlowBinary.run(["test", FlowBinary.repository + "/workflows/" + file], in: directory.path)
            #expect(tested.status == 0, "\(file): \(tested.stdout) \(tested.stderr)")
        }
        let cassette = try Cassette(json: try JSON.parse(try String(contentsOfFile: FlowBinary.repository + "/workflows/support.cassette.json", encoding: .utf8)))
        #expect(cassette.interactions.count == 7)
    }

    @Test func digestExampleSplitsALongDocumentMapsTheChunksAndReducesThem() throws {
        let directory = try TemporaryDirectory()
        let result = try FlowBinary.run(["run", FlowBinary.repository + "/workflows/digest.yaml", "--replay", "--json"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        #expect(report["output"]?.string?.hasPrefix("The report covers 3 parts:") == true, "\(report["output"]?.string ?? "nil")")
        let transcript = try TranscriptReader.read(directory.path + "/" + (report["transcript"]?.string ?? ""))
        let start = try #require(transcript.first(.mapStart))
        #expect(start["items"] == .int(3) && start["split"]?["max_tokens"] == .int(200))
        // Every chunk sent is under the budget, and together they are the whole document, in order.
        let chunks = transcript.all(.request).filter { $0["step"]?.string == "summarize" }
            .sorted { ($0["item"]?.int ?? 0) < ($1["item"]?.int ?? 0) }
            .compactMap { $0["messages"]?.array?.last?["content"]?.string?.components(separatedBy: "\n\n").dropFirst().joined(separator: "\n\n") }
        #expect(chunks.count == 3 && chunks.allSatisfy { ($0.utf8.count + 3) / 4 <= 200 }, "\(chunks.map(\.utf8.count))")
        let loaded = try WorkflowLoader.load(path: FlowBinary.repository + "/workflows/digest.yaml")
        let doc = loaded.workflow.vars.first { $0.name == "doc" }?.defaultValue?.interpolated ?? ""
        let words = { (text: String) in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) }
        #expect(chunks.flatMap(words) == words(doc))
        let tested = try FlowBinary.run(["test", FlowBinary.repository + "/workflows/digest.yaml"], in: directory.path)
        #expect(tested.status == 0, "\(tested.stdout) \(tested.stderr)")
    }

    @Test func repoExampleReplaysAnMCPToolLoopWithoutStartingTheServer() throws {
        let directory = try TemporaryDirectory()
        // PATH has no uvx here: a replay that started the server would fail.
        let result = try FlowBinary.run(["run", FlowBinary.repository + "/workflows/repo.yaml", "--replay", "--json"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        #expect(report["output"]?.string?.hasPrefix("The last two changes were:") == true, "\(report["output"] ?? .null)")
        let transcript = try TranscriptReader.read(directory.path + "/" + (report["transcript"]?.string ?? ""))
        #expect(transcript.all(.toolCall).compactMap { $0["name"]?.string } == ["git__git_log"])
        #expect(transcript.all(.toolResult).first?["content"]?.string?.hasPrefix("Commit history:") == true)
        // Only the allowed, read-only tools were offered (as the cassette's requests say).
        let cassette = try Cassette(json: try JSON.parse(try String(contentsOfFile: FlowBinary.repository + "/workflows/repo.cassette.json", encoding: .utf8)))
        let offered = cassette.interactions.first?.request["tools"]?.array?.compactMap { $0["name"]?.string } ?? []
        #expect(offered == ["git__git_status", "git__git_log", "git__git_show"], "\(offered)")
    }

    @Test func orderExampleReplaysStructuredOutputOnThreeProviders() throws {
        let directory = try TemporaryDirectory()
        let result = try FlowBinary.run(["run", FlowBinary.repository + "/workflows/order.yaml", "--replay", "--json"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        #expect((report["path"]?.array ?? []).map { $0["step"]?.string ?? "" } == ["openai", "anthropic", "gemini"])
        #expect(try JSON.parse(report["output"]?.string ?? "")["items"]?.array?.count == 2)
        let cassette = try Cassette(json: try JSON.parse(try String(contentsOfFile: FlowBinary.repository + "/workflows/order.cassette.json", encoding: .utf8)))
        #expect(cassette.interactions.count == 3 && cassette.interactions.allSatisfy { $0.request["response_schema"]?["$defs"] != nil })
        let render = try FlowBinary.run(["render", FlowBinary.repository + "/workflows/order.yaml", "--provider", "anthropic", "--step", "anthropic"], in: directory.path)
        // Claude Haiku 4.5 takes the schema natively, fitted: minimum is described, not sent.
        #expect(render.stdout.contains(#""output_config": {"#) && render.stdout.contains(#""description": "Also: minimum 1.""#)
                && !render.stdout.contains("tool_choice"), "\(render.stdout.prefix(600))")
        let gemini = try FlowBinary.run(["render", FlowBinary.repository + "/workflows/order.yaml", "--provider", "gemini", "--step", "gemini"], in: directory.path)
        #expect(gemini.stdout.contains(#""responseJsonSchema": {"#) && gemini.stdout.contains(#""description": "Also: minLength 1.""#))
    }

    @Test func describeExampleSendsTheFilesAndRecordsOnlyTheirDigests() throws {
        let directory = try TemporaryDirectory()
        let result = try FlowBinary.run(["test", FlowBinary.repository + "/workflows/describe.yaml", "--json"], in: directory.path)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        let cassette = try String(contentsOfFile: FlowBinary.repository + "/workflows/describe.cassette.json", encoding: .utf8)
        let png = try Data(contentsOf: URL(fileURLWithPath: FlowBinary.repository + "/workflows/media/red-square.png"))
        #expect(cassette.contains(SHA256.hex([UInt8](png))) && !cassette.contains(png.base64EncodedString()))
        for (provider, part) in [("openai", #""type": "image_url""#), ("anthropic", #""type": "document""#), ("gemini", #""mimeType": "application/pdf""#)] {
            let render = try FlowBinary.run(["render", FlowBinary.repository + "/workflows/describe.yaml", "--provider", provider, "--step", provider],
                                            in: directory.path)
            // The body's shape as sent, with the bytes standing as type, size and digest.
            #expect(render.status == 0 && render.stdout.contains(part) && !render.stdout.contains(png.base64EncodedString())
                    && render.stdout.contains("[image/png, 79 bytes, sha256 "), "\(provider)")
        }
    }

    @Test func aMediaFileIsCheckedWhenTheWorkflowIsValidated() throws {
        let directory = try TemporaryDirectory()
        try directory.write("flow.config.yaml", "")
        try directory.write("notes.png", "not an image at all")
        try directory.write("w.yaml", """
            flow: 1
            model: openai/gpt-4o-mini
            steps:
              - id: a
                user:
                  - image: {file: notes.png}
                  - document: {file: missing.pdf}
                  - document: {file: ../outside.pdf}
                  - Describe them.
            """)
        let result = try FlowBinary.run(["validate", "w.yaml"], in: directory.path)
        #expect(result.status == 65)
        #expect(result.stderr.contains("w.yaml:6:16: error: 'notes.png' is not a PNG, JPEG, GIF or WebP image by its bytes"), "\(result.stderr)")
        #expect(result.stderr.contains("w.yaml:7:19: error: document file 'missing.pdf' does not exist"), "\(result.stderr)")
        #expect(result.stderr.contains("w.yaml:8:19: error: '../outside.pdf' is outside the project directory"), "\(result.stderr)")
    }

    @Test func toolExampleRunsTheRealProgram() throws {
        let directory = try TemporaryDirectory()
        let result = try FlowBinary.run(["run", FlowBinary.repository + "/workflows/tools.yaml"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        let transcript = try String(contentsOfFile: try #require(try directory.transcripts().first), encoding: .utf8)
        #expect(transcript.contains(#""type":"tool_result","step":"stats","id":"call_1","name":"word_stats","content":"{\"words\": 9, \"sentences\": 3}\n","is_error":false"#))
    }

    @Test func tutorReadsTurnsFromAPipe() throws {
        let directory = try TemporaryDirectory()
        let result = try FlowBinary.run(["run", FlowBinary.repository + "/workflows/tutor.yaml"], in: directory.path,
                                        input: "What is a list?\nAnd a dict?\nquit\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "A list holds items in order: `nums = [3, 1, 2]`; `nums[0]` is 3.\nA dict maps keys to values: `ages = {'ada': 36}`; `ages['ada']` is 36.\n")
        // Each turn's line goes to stderr as the turn ends, before the next prompt.
        #expect(result.stderr.hasPrefix("You: step turn: stop"))
        let ended = try FlowBinary.run(["run", FlowBinary.repository + "/workflows/tutor.yaml", "--json"], in: directory.path,
                                       input: "What is a list?\n")
        #expect(ended.status == 0)
        let path = try JSON.parse(ended.stdout)["path"]
        #expect(path?[1]?["finish_reason"] == .string("end_of_input"))
    }
}
