import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// `flow import` of OpenAI's evals: a registry file (Match, Includes, FuzzyMatch and a
/// model-graded eval, written here in the registry's shape) and a platform export (an eval
/// object with its run and data file, in the API's documented shapes). Each imports, validates,
/// sends each sample's own conversation, records once against the loopback stub speaking
/// OpenAI's chat-completions format, and replays offline with the classes' semantics: the checks
/// fail exactly where the original eval would.
@Suite struct EvalsImportTests {
    static let fixtures = FlowBinary.repository + "/Tests/FlowCLITests/ImportFixtures"

    /// The messages `flow render` sends for one dataset row.
    static func rendered(_ workflow: String, row: JSON, in directory: String) throws -> [JSON] {
        var arguments = ["render", workflow, "--json"]
        for key in ["system", "history", "prompt"] {
            guard let value = row[key] else { continue }
            arguments += ["--var", key + "=" + (value.string ?? value.serialized)]
        }
        let result = try FlowBinary.run(arguments, in: directory)
        try #require(result.status == 0, "\(result.stderr)")
        return try JSON.parse(result.stdout)[0]?["messages"]?.array ?? []
    }

    /// The cases the results table marks FAIL.
    static func failing(_ output: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            line.range(of: "  FAIL  ").map { String(line[..<$0.lowerBound]).trimmingCharacters(in: .whitespaces) }
        }.sorted()
    }

    @Test func aRegistryFileImportsRecordsOnceAndFailsWhereTheEvalWould() throws {
        let directory = try TemporaryDirectory()
        try directory.copyTree(from: Self.fixtures + "/evals-registry", under: "registry/")
        let imported = try FlowBinary.run(["import", "capitals.yaml"], in: directory.path + "/registry/evals")
        try #require(imported.status == 0, "\(imported.stderr)")
        for line in ["capitals.yaml:41: eval 'capitals-custom.dev.v0' was not carried over: capitals.yaml:41: eval 'capitals-custom.dev.v0' uses evals.elsuite.multiple_choice:MultipleChoice",
                     "../data/capitals/match.jsonl:1: few-shot examples written as system messages named example_user/example_assistant are sent as user and assistant turns",
                     "next: flow validate capitals.flow.yaml && flow test capitals.flow.yaml --live --record"] {
            #expect(imported.stdout.contains(line), "\(line)\n\(imported.stdout)")
        }
        let evals = directory.path + "/registry/evals"
        #expect(try FlowBinary.run(["validate", "capitals.flow.yaml"], in: evals).status == 0)

        // Each row sends its sample's conversation.
        let rows = try String(contentsOfFile: evals + "/capitals.capitals-dev-match-v0.jsonl", encoding: .utf8).split(separator: "\n").map { try JSON.parse(String($0)) }
        #expect(rows.count == 3)
        let first = try Self.rendered("capitals.flow.yaml", row: rows[0], in: evals)
        #expect(first.map { ($0["role"]?.string ?? "") + ": " + ($0["content"]?.string ?? "") }
                == ["system: Answer with the city only.", "user: Capital of Italy?", "assistant: Rome", "user: Capital of France?"])
        let third = try Self.rendered("capitals.flow.yaml", row: rows[2], in: evals)
        #expect(third.map { ($0["role"]?.string ?? "") + ": " + ($0["content"]?.string ?? "") } == ["user: Capital of Japan (one word)?"], "a prompt string is one user turn, no empty system")
        #expect(rows[1]["expect"] == .array([.object([("matches", .string("^(?:Canberra|Canberra, ACT)"))])]))
        // num_few_shot: 1 puts the first few-shot row's messages before each sample's last.
        let fewShot = try JSON.parse(String(try String(contentsOfFile: evals + "/capitals.capitals-fewshot-dev-v0.jsonl", encoding: .utf8).split(separator: "\n")[1]))
        #expect(try Self.rendered("capitals.flow.yaml", row: fewShot, in: evals).map { ($0["role"]?.string ?? "") + ": " + ($0["content"]?.string ?? "") }
                == ["system: Answer with the city only.", "user: Capital of Peru?", "assistant: Lima", "user: Capital of Australia?"])

        let offline = try FlowBinary.run(["test", "capitals.flow.yaml"], in: evals)
        #expect(offline.status != 0 && offline.stdout.contains("no recording to replay"), "\(offline.stdout)")
        // "It is Tokyo." does not start with "Tokyo" (Match fails) but contains it (Includes
        // passes); "the hague" fuzzy-matches "The Hague"; "Washington DC" fuzzy-matches
        // "Washington, D.C." once punctuation is gone.
        let server = try StubServer { request in
            let body = request.bodyText
            let answer = body.contains("\"score\"") ? #"{"score": 1, "reason": "Names the city."}"#
                : body.contains("France") ? "Paris" : body.contains("Australia") ? "Canberra" : body.contains("Japan") ? "It is Tokyo."
                : body.contains("Dutch") ? "the hague" : "Washington DC"
            return StubServer.Response(body: OpenAIWire.completion(content: answer))
        }
        defer { server.stop() }
        let recorded = try FlowBinary.run(["test", "capitals.flow.yaml", "--live", "--record"], in: evals,
                                          environment: ["OPENAI_API_KEY": "sk-test-0000", "OPENAI_BASE_URL": server.baseURL + "/v1"])
        #expect(Self.failing(recorded.stdout) == ["capitals.dev.match-v0 #3"], "\(recorded.stdout)")
        // 3 + 2 + 3 + 2 + 2 answers and 2 judge calls.
        #expect(server.requests.count == 14, "\(server.requests.count)")
        let replayed = try FlowBinary.run(["test", "capitals.flow.yaml"], in: evals)
        #expect(replayed.status == 1 && Self.failing(replayed.stdout) == ["capitals.dev.match-v0 #3"], "\(replayed.stdout) \(replayed.stderr)")
    }

    @Test func aPlatformExportImportsWithItsRunAndDataFile() throws {
        let directory = try TemporaryDirectory()
        try directory.copyTree(from: Self.fixtures + "/openai-evals", under: "")
        let imported = try FlowBinary.run(["import", "tickets.json"], in: directory.path)
        try #require(imported.status == 0, "\(imported.stderr)")
        for line in ["tickets.json:46: grader 'Close to the label' (text_similarity, fuzzy_match) has no flow equivalent and was not carried over",
                     "tickets.json:54: grader 'Custom' runs Python, which flow does not; it was not carried over",
                     "tickets.json:7: item field 'notes' is read by no prompt or carried grader and was not carried over"] {
            #expect(imported.stdout.contains(line), "\(line)\n\(imported.stdout)")
        }
        #expect(!imported.stdout.contains("'correct_label' is read by no"), "a field only the checks read is carried in them")
        let workflow = try String(contentsOfFile: directory.path + "/tickets.yaml", encoding: .utf8)
        for line in ["model: \"openai/gpt-4.1\"", "params: {temperature: 0, max_tokens: 20, seed: 42}", "user: {file: tickets.user.mustache}",
                     "Label the answer with one of: polite, neutral, rude. Score 1 if the label is one of polite, neutral, else 0.", "model: \"openai/gpt-4o-2024-08-06\""] {
            #expect(workflow.contains(line), "\(line)\n\(workflow)")
        }
        #expect(try String(contentsOfFile: directory.path + "/tickets.user.mustache", encoding: .utf8) == "{{ticket_text}}\n")
        #expect(try FlowBinary.run(["validate", "tickets.yaml"], in: directory.path).status == 0)

        // eq is exact, ilike ignores case: "software" fails the first and passes the second.
        let server = try StubServer { request in
            let body = request.bodyText
            let answer = body.contains("\"score\"") ? #"{"score": 1, "reason": "Polite."}"#
                : body.contains("monitor") ? "Hardware" : body.contains("vim") ? "software" : "Other"
            return StubServer.Response(body: OpenAIWire.completion(content: answer))
        }
        defer { server.stop() }
        let recorded = try FlowBinary.run(["test", "tickets.yaml", "--live", "--record"], in: directory.path,
                                          environment: ["OPENAI_API_KEY": "sk-test-0000", "OPENAI_BASE_URL": server.baseURL + "/v1"])
        #expect(Self.failing(recorded.stdout) == ["row 2"], "\(recorded.stdout)")
        #expect(recorded.stdout.contains("expected the output to equal \"Software\", got \"software\""), "\(recorded.stdout)")
        #expect(server.requests.count == 6, "3 answers and 3 judge calls, got \(server.requests.count)")
        let replayed = try FlowBinary.run(["test", "tickets.yaml"], in: directory.path)
        #expect(replayed.status == 1 && Self.failing(replayed.stdout) == ["row 2"], "\(replayed.stdout)")
    }

    @Test func whatAnEvalCannotSayIsRefusedAtItsPlace() throws {
        let directory = try TemporaryDirectory()
        // An export with no run: nothing says what is asked.
        try directory.write("bare.json", #"{"name": "x", "data_source_config": {"type": "custom", "item_schema": {}},"# + "\n" + #" "testing_criteria": []}"#)
        let bare = try FlowBinary.run(["import", "bare.json"], in: directory.path)
        #expect(bare.status == 65 && bare.stderr.contains("bare.json:1:1: error: the export has no run"), "\(bare.stderr)")
        // A row that does not fit the item schema.
        let export = try String(contentsOfFile: Self.fixtures + "/openai-evals/tickets.json", encoding: .utf8)
        try directory.write("misfit.json", export.replacingOccurrences(of: "\"source\": {\"type\": \"file_id\", \"id\": \"file-CwHg45Fo7YXwkWRPUkLNHW\"}",
                                                                       with: "\"source\": {\"type\": \"file_content\", \"content\": [\n{\"item\": {\"ticket_text\": \"hi\", \"correct_label\": \"Printer\"}}]}"))
        let misfit = try FlowBinary.run(["import", "misfit.json"], in: directory.path)
        #expect(misfit.status == 65 && misfit.stderr.contains("misfit.json:79:1: error: row 1 does not fit the eval's item_schema"), "\(misfit.stderr)")
        // A registry whose samples are still Git LFS pointers.
        for folder in ["evals", "data/lfs"] { try FileManager.default.createDirectory(atPath: directory.path + "/" + folder, withIntermediateDirectories: true) }
        try directory.write("evals/lfs.yaml", "lfs.dev.v0:\n  class: evals.elsuite.basic.match:Match\n  args:\n    samples_jsonl: lfs/samples.jsonl\n")
        try directory.write("data/lfs/samples.jsonl", "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 1234\n")
        let lfs = try FlowBinary.run(["import", "lfs.yaml"], in: directory.path + "/evals")
        #expect(lfs.status == 65 && lfs.stderr.contains("lfs.yaml:4:1: error: '../data/lfs/samples.jsonl' is a Git LFS pointer") && lfs.stderr.contains("git lfs pull"), "\(lfs.stderr)")
        // A sample whose conversation ends on an assistant turn.
        try directory.write("evals/tail.yaml", "tail.dev.v0:\n  class: evals.elsuite.basic.includes:Includes\n  args:\n    samples_jsonl: tail.jsonl\n")
        try directory.write("data/tail.jsonl", #"{"input": "ok", "ideal": "a"}"# + "\n" + #"{"input": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "ideal": "a"}"# + "\n")
        let tail = try FlowBinary.run(["import", "tail.yaml"], in: directory.path + "/evals")
        #expect(tail.status == 65 && tail.stderr.contains("../data/tail.jsonl:2:1: error: the last message of 'input' is not a user turn"), "\(tail.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/evals/tail.flow.yaml"), "nothing is written")
    }
}
