import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore
import FlowSource

/// What a new user met in the seed's own scenarios (issue 27), each held by a test.
@Suite struct NewcomerTests {
    /// A loopback OpenAI that answers every request "fine".
    static func answeringFine() throws -> StubServer {
        try StubServer { _ in StubServer.Response(body: OpenAIWire.completion(content: "fine")) }
    }

    /// The environment that points flow's OpenAI provider at `server`, with a test key.
    static func openAI(_ server: StubServer) -> [String: String] {
        ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.baseURL + "/v1"]
    }

    /// A CI job that only validates fails where run would, and both name the place; a run
    /// refused before sending leaves no transcript.
    @Test func validateAndRunRefuseTheSameWorkflowAtTheSamePlace() throws {
        let directory = try TemporaryDirectory()
        try directory.write("flow.config.yaml", "providers: []\n")
        try directory.write("w.yaml", "flow: 1\nmodel: anthropic/claude-haiku-4-5\nsteps: [{id: a, user: hi}]\n")
        let validated = try FlowBinary.run(["validate", "w.yaml"], in: directory.path)
        let ran = try FlowBinary.run(["run", "w.yaml"], in: directory.path, environment: ["ANTHROPIC_API_KEY": "sk-ant-test"])
        for result in [validated, ran] {
            #expect(result.status == 65)
            #expect(result.stderr.contains("w.yaml:2:1: error: step 'a': Anthropic requires max_tokens"), "\(result.stderr)")
        }
        #expect(try directory.transcripts().isEmpty, "nothing was sent, so nothing is recorded")
    }
}

extension NewcomerTests {
    /// A recording leaves the cassette beside the workflow and nothing else: no lock file, no journal.
    @Test func aRecordingLeavesOnlyTheCassette() throws {
        let server = try Self.answeringFine()
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", "flow: 1\nmodel: openai/gpt-4o-mini\nsteps: [{id: a, user: hi}]\n")
        let result = try FlowBinary.run(["run", "w.yaml", "--record"], in: directory.path,
                                        environment: Self.openAI(server))
        #expect(result.status == 0, "\(result.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0 != ".flow" }.sorted()
        #expect(left == ["w.cassette.json", "w.yaml"])
    }
}

extension NewcomerTests {
    /// Records keep an image as its path, type, size and digest, never its bytes: the wire body
    /// in a live transcript too, for every provider's way of carrying them.
    @Test(arguments: ["openai/gpt-4o-mini", "anthropic/claude-haiku-4-5", "gemini/gemini-2.5-flash"])
    func liveTranscriptsHoldNoImageBytes(_ model: String) throws {
        let server = try StubServer { request in
            if request.path.contains("/messages") { return StubServer.Response(body: AnthropicWire.message(text: "a cat")) }
            if request.path.contains("generateContent") { return StubServer.Response(body: GeminiWire.response(text: "a cat")) }
            return StubServer.Response(body: OpenAIWire.completion(content: "a cat"))
        }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try Data(png).write(to: URL(fileURLWithPath: directory.path + "/cat.png"))
        try directory.write("w.yaml", "flow: 1\nmodel: \(model)\nparams: {max_tokens: 50}\nsteps:\n  - id: a\n    user: [{text: what is it?}, {image: {file: cat.png}}]\n")
        let result = try FlowBinary.run(["run", "w.yaml"], in: directory.path, environment: [
            "OPENAI_API_KEY": "k", "OPENAI_BASE_URL": server.baseURL + "/v1", "ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": server.baseURL,
            "GEMINI_API_KEY": "k", "GEMINI_BASE_URL": server.baseURL,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let sent = try #require(server.requests.first).bodyText
        let base64 = Data(png).base64EncodedString()
        #expect(sent.contains(base64), "the provider does get the bytes")
        let transcript = try String(contentsOfFile: try #require(try directory.transcripts().first), encoding: .utf8)
        #expect(!transcript.contains(String(base64.prefix(64))), "no image bytes in the transcript")
        #expect(transcript.contains("[image/png, 3008 bytes, sha256 "), "the bytes stand as their type, size and digest")
    }
}

extension NewcomerTests {
    /// `flow run --stream > file` writes what `flow run > file` does: with an output template,
    /// with several steps, and in a chat fed from a pipe.
    @Test func standardOutputIsTheSameWithAndWithoutStream() throws {
        let directory = try TemporaryDirectory()
        try directory.write("output.yaml", "flow: 1\nmodel: mock/m\nsteps:\n  - {id: a, user: hi, save: x}\n  - {id: b, user: again, save: y}\noutput: \"A={{x}} B={{y}}\"\nmock: [one, two]\n")
        try directory.write("steps.yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: hi}, {id: b, user: again}]\nmock: [one, two]\n")
        try directory.write("chat.yaml", "flow: 1\nmodel: mock/m\nsteps:\n  - id: turn\n    user: {ask: 'You: ', exit: [quit]}\n    on: {stop: turn}\nmock: [first answer, second answer]\n")
        for file in ["output.yaml", "steps.yaml", "chat.yaml"] {
            let plain = try FlowBinary.run(["run", file], in: directory.path, input: "hi\nagain\nquit\n")
            let streamed = try FlowBinary.run(["run", file, "--stream"], in: directory.path, input: "hi\nagain\nquit\n")
            #expect(plain.status == 0 && streamed.status == 0, "\(file): \(streamed.stderr)")
            #expect(streamed.stdout == plain.stdout, "\(file): \(streamed.stdout.debugDescription) vs \(plain.stdout.debugDescription)")
            #expect(!plain.stdout.isEmpty)
        }
    }
}

extension NewcomerTests {
    /// A user part flow does not have is one error that names the kinds there are.
    @Test func anUnknownUserPartIsOneErrorNamingThePartKinds() throws {
        let directory = try TemporaryDirectory()
        try directory.write("flow.config.yaml", "providers: []\n")
        try directory.write("w.yaml", "flow: 1\nmodel: mock/m\nsteps:\n  - id: a\n    user:\n      - text: hi\n      - audio: {file: x.wav}\nmock: [x]\n")
        let result = try FlowBinary.run(["validate", "w.yaml"], in: directory.path)
        #expect(result.status == 65)
        #expect(result.stderr.contains("w.yaml:7:9: error: a user part 'audio' is not supported: flow sends text, image and document parts"), "\(result.stderr)")
        #expect(result.stderr.components(separatedBy: "error:").count == 2, "one error: \(result.stderr)")
        #expect(!result.stderr.contains("strict, cache"))
    }
}

extension NewcomerTests {
    /// `render --provider` on another provider's workflow warns that the model name goes where it
    /// is not served; `render --model` renders for the model asked for.
    @Test func renderWarnsOnAProviderMismatchAndTakesAModel() throws {
        let directory = try TemporaryDirectory()
        try directory.write("flow.config.yaml", "providers: []\n")
        try directory.write("w.yaml", "flow: 1\nmodel: openai/gpt-4o\nparams: {max_tokens: 10}\nsteps: [{id: a, user: hi}]\n")
        let mismatched = try FlowBinary.run(["render", "w.yaml", "--provider", "anthropic"], in: directory.path)
        #expect(mismatched.status == 0)
        #expect(mismatched.stderr.contains("warning: step 'a' runs on openai/gpt-4o; this anthropic body sends it 'gpt-4o'"), "\(mismatched.stderr)")
        let chosen = try FlowBinary.run(["render", "w.yaml", "--model", "anthropic/claude-haiku-4-5"], in: directory.path)
        #expect(chosen.status == 0, "\(chosen.stderr)")
        #expect(chosen.stdout.contains("POST https://api.anthropic.com/v1/messages") && chosen.stdout.contains(#""model": "claude-haiku-4-5""#))
        #expect(!chosen.stderr.contains("warning"))
    }
}

extension NewcomerTests {
    /// With only a template changed, each case's miss is explained against its own recording,
    /// and is that case's one failure.
    @Test func aReplayMissIsOneFailureAgainstTheSameCasesRecording() throws {
        let server = try Self.answeringFine()
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("flow.config.yaml", "providers: []\n")
        let suite = """
            flow: 1
            model: openai/gpt-4o-mini
            vars: {q: null}
            steps: [{id: answer, user: "PROMPT {{q}}"}]
            tests:
              - {name: one, vars: {q: alpha}, expect: [{contains: fine}]}
              - {name: two, vars: {q: beta}, expect: [{contains: fine}]}
              - {name: three, vars: {q: gamma}, expect: [{contains: fine}, {step: answer, finish_reason: stop}]}
            """
        try directory.write("w.yaml", suite.replacingOccurrences(of: "PROMPT", with: "Question:"))
        let recorded = try FlowBinary.run(["test", "w.yaml", "--live", "--record"], in: directory.path,
                                          environment: Self.openAI(server))
        #expect(recorded.status == 0, "\(recorded.stdout)")
        try directory.write("w.yaml", suite.replacingOccurrences(of: "PROMPT", with: "Q:"))
        let replayed = try FlowBinary.run(["test", "w.yaml", "--json"], in: directory.path)
        #expect(replayed.status == 1)
        let cases = try JSON.parse(replayed.stdout)["cases"]?.array ?? []
        #expect(cases.count == 3)
        for (testCase, word) in zip(cases, ["alpha", "beta", "gamma"]) {
            let failures = testCase["failures"]?.array ?? []
            #expect(failures.count == 1, "one failure for a miss: \(failures)")
            let message = failures.first?["message"]?.string ?? ""
            #expect(message.contains("- Question: \(word)\n") && message.contains("+ Q: \(word)"), "\(message)")
        }
    }
}

extension NewcomerTests {
    func validate(_ yaml: String, files: [String: String] = [:], png: String? = nil) throws -> FlowBinary.Result {
        let directory = try TemporaryDirectory()
        if let png {
            try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]).write(to: URL(fileURLWithPath: directory.path + "/" + png))
        }
        try directory.write("flow.config.yaml", "providers: []\n")
        for (name, text) in files {
            try FileManager.default.createDirectory(atPath: directory.path + "/" + PathText.directory(of: name), withIntermediateDirectories: true)
            try directory.write(name, text)
        }
        try directory.write("w.yaml", yaml)
        return try FlowBinary.run(["validate", "w.yaml"], in: directory.path)
    }

    /// Continuing structured output would join two objects: refused, with what to do instead.
    @Test func continuingAStructuredAnswerIsRefused() throws {
        let result = try validate("flow: 1\nmodel: mock/m\nsteps:\n  - id: b\n    user: x\n    schema: {type: object}\n    on: {length: {continue: 2}}\nmock: ['{}']\n")
        #expect(result.status == 65)
        #expect(result.stderr.contains("w.yaml:7:18: error: step 'b' has a schema, and a structured answer cannot be continued"), "\(result.stderr)")
    }

    /// The smaller points: each error or warning at its place, with the name that was meant.
    @Test func namesThatWereMeantAreSuggested() throws {
        let goto = try validate("flow: 1\nmodel: mock/m\nsteps:\n  - id: a\n    user: hi\n    on:\n      stop:\n        - {if: {contains: x}, goto: b2}\n        - end\n  - {id: b, user: x}\nmock: [x]\n")
        #expect(goto.stderr.contains("w.yaml:8:37: error: step 'a' goes to 'b2', which is not a step"), "at the goto's value: \(goto.stderr)")
        let bare = try validate("flow: 1\nmodel: claude-sonnet-4-5\nsteps: [{id: a, user: hi}]\n")
        #expect(bare.stderr.contains("hint: did you mean 'anthropic/claude-sonnet-4-5'?"), "\(bare.stderr)")
        let typo = try validate("flow: 1\nmodel: openai/gpt4o\nsteps: [{id: a, user: hi}]\n")
        #expect(typo.status == 0, "a model flow does not know is allowed")
        #expect(typo.stderr.contains("w.yaml:2:8: warning: flow knows no model 'openai/gpt4o' (it has no price for it): did you mean 'openai/gpt-4o'?"), "\(typo.stderr)")
        let template = try validate("flow: 1\nmodel: mock/m\nsteps: [{id: a, user: {file: templates/ask.mustach}}]\nmock: [x]\n",
                                    files: ["templates/ask.mustache": "hi"])
        #expect(template.stderr.contains("hint: did you mean 'templates/ask.mustache'?"), "\(template.stderr)")
        let detail = try validate("flow: 1\nmodel: gemini/gemini-2.5-flash\nsteps:\n  - id: a\n    user: [{text: hi}, {image: {file: a.png, detail: low}}]\n",
                                  png: "a.png")
        #expect(detail.status == 0, "\(detail.stderr)")
        #expect(detail.stderr.contains("warning: Gemini takes no image 'detail': 'detail: low' is not sent on step 'a'"), "\(detail.stderr)")
    }

    /// A live answer whose model has no price says so in flow run, and how to give one.
    @Test func anUnknownCostSaysHowToGiveAPrice() throws {
        let server = try Self.answeringFine()
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", "flow: 1\nmodel: openai/gpt-9-turbo\nsteps: [{id: a, user: hi}]\n")
        let result = try FlowBinary.run(["run", "w.yaml"], in: directory.path,
                                        environment: Self.openAI(server))
        #expect(result.status == 0)
        #expect(result.stderr.contains("cost unknown: flow has no price for openai/gpt-9-turbo; give it with --prices FILE"), "\(result.stderr)")
    }
}

extension NewcomerTests {
    /// A chat shows each turn's usage as the turn ends, and its transcript says how it ended.
    @Test func aChatShowsUsageTurnByTurnAndHowItEnded() throws {
        let directory = try TemporaryDirectory()
        try directory.write("chat.yaml", "flow: 1\nmodel: mock/m\nsteps:\n  - id: turn\n    user: {ask: 'You: ', exit: [quit]}\n    on: {stop: turn}\nmock: [first answer, second answer]\n")
        let result = try FlowBinary.run(["run", "chat.yaml"], in: directory.path, input: "hi\nagain\nquit\n")
        #expect(result.status == 0)
        // Two lines, one per turn, each before the next prompt was read.
        let lines = result.stderr.components(separatedBy: "\n").filter { $0.contains("step turn: stop") }
        #expect(lines.count == 2, "\(result.stderr)")
        #expect(lines.allSatisfy { $0.contains(" in / ") && $0.contains(", context ") }, "\(lines)")
        #expect(result.stderr.components(separatedBy: "You: ").count == 4, "three prompts: \(result.stderr)")
        #expect(result.stderr.hasPrefix("You: step turn: stop"), "the first turn's line comes before the second prompt: \(result.stderr)")
        let shown = try FlowBinary.run(["show"], in: directory.path)
        #expect(shown.stdout.contains("'quit' typed: the chat ended"), "\(shown.stdout)")
    }
}

extension NewcomerTests {
    /// A live suite keeps each case's transcript, so flow cost counts what it spent, and the
    /// table ends with the total.
    @Test func liveTestSpendIsRecordedAndCounted() throws {
        let server = try Self.answeringFine()
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("flow.config.yaml", "providers: []\n")
        try directory.write("w.yaml", """
            flow: 1
            model: openai/gpt-4o-mini
            vars: {q: null}
            steps: [{id: a, user: "{{q}}"}]
            tests:
              - {name: one, vars: {q: alpha}, expect: [{contains: fine}]}
              - {name: two, vars: {q: beta}, expect: [{contains: fine}]}
            """)
        let tested = try FlowBinary.run(["test", "w.yaml", "--live", "--record"], in: directory.path,
                                        environment: Self.openAI(server))
        #expect(tested.status == 0, "\(tested.stdout)")
        // 10 in / 5 out tokens a call at gpt-4o-mini's price, twice.
        #expect(tested.stdout.contains("2 passed, 0 failed, $0.000009 spent on 2 live cases"), "\(tested.stdout)")
        #expect(tested.stderr.contains("transcripts: .flow/runs/"), "\(tested.stderr)")
        let cost = try FlowBinary.run(["cost", "--json"], in: directory.path)
        let calls = try JSON.parse(cost.stdout)
        #expect(cost.stdout.contains("\"calls\" : 2") || calls.serialized.contains("\"calls\":2"), "\(cost.stdout)")
    }
}

extension NewcomerTests {
    /// What a reviewer needs is in flow show and render: the system prompt, each image and
    /// document part, the logprob alternatives, and the confidence a confidence_below test saw
    /// (when it held and when it did not; in run --json too).
    @Test func showAndRenderCarryWhatAReviewerNeeds() throws {
        let directory = try TemporaryDirectory()
        try directory.write("flow.config.yaml", "providers: []\n")
        try directory.write("w.yaml", """
            flow: 1
            model: mock/m
            system: You are terse.
            steps:
              - id: classify
                user: Classify it.
                params: {logprobs: true, top_logprobs: 3}
                on:
                  stop:
                    - {if: {confidence_below: 0.5}, goto: escalate}
                    - end
              - {id: escalate, user: Explain.}
            mock: [{content: positive, confidence: 0.9}, unused]
            """)
        let json = try FlowBinary.run(["run", "w.yaml", "--json"], in: directory.path)
        #expect(json.status == 0, "\(json.stderr)")
        #expect(try JSON.parse(json.stdout)["steps"]?[0]?["confidence"] == .double(0.9), "\(json.stdout)")
        let shown = try FlowBinary.run(["show"], in: directory.path)
        #expect(shown.stdout.contains("  system:\n    You are terse.\n"), "\(shown.stdout)")
        #expect(shown.stdout.contains("  logprobs: \"positive\" 90%"), "\(shown.stdout)")
        // The test did not hold (0.9 is not below 0.5), and its confidence is still said.
        #expect(shown.stdout.contains("→ stop: end (confidence 0.9)"), "\(shown.stdout)")

        let media = try FlowBinary.run(["render", FlowBinary.repository + "/workflows/describe.yaml", "--step", "gemini", "--provider", "gemini"],
                                       in: FlowBinary.repository)
        #expect(media.stdout.contains("[image/png, 79 bytes, sha256 "), "no base64 in a rendered body: \(media.stdout)")
        let plain = try FlowBinary.run(["render", FlowBinary.repository + "/workflows/describe.yaml"], in: FlowBinary.repository)
        #expect(plain.stdout.contains("[image media/red-square.png (image/png, 79 bytes, detail low)]"), "\(plain.stdout)")
        #expect(plain.stdout.contains("[document media/invoice.pdf (application/pdf, 625 bytes)]"))
    }
}

extension NewcomerTests {
    /// A misnamed check is one error, with the key that was meant.
    @Test func aMisnamedCheckIsOneError() throws {
        let result = try validate("flow: 1\nmodel: mock/m\nsteps: [{id: a, user: hi}]\nmock: [x]\ntests:\n  - {name: t, expect: [{step: a, finish: stop}]}\n")
        #expect(result.status == 65)
        #expect(result.stderr.contains("w.yaml:6:34: error: unknown key 'finish' in an expectation"), "\(result.stderr)")
        #expect(result.stderr.contains("hint: did you mean 'finish_reason'?"))
        #expect(result.stderr.components(separatedBy: "error:").count == 2, "one error: \(result.stderr)")
    }
}

extension NewcomerTests {
    /// A parsed answer's numbers keep the text the model gave them when a later prompt or the
    /// output renders them (5.50 stays 5.50); strings that hold digits are not taken for numbers.
    @Test func parsedNumbersKeepTheirText() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", """
            flow: 1
            model: mock/m
            steps:
              - {id: a, user: hi, parse: json, save: order}
              - {id: b, user: "Price {{order.price}}, all {{order}}"}
            output: "{{order.price}} / {{order.rate}} / {{order.qty}}"
            mock: ['{"note": "x 7.10", "price": 5.50, "qty": 2, "rate": 1e3}', ok]
            """)
        let result = try FlowBinary.run(["run", "w.yaml", "--json"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSON.parse(result.stdout)["output"] == .string("5.50 / 1e3 / 2"), "\(result.stdout)")
        let transcript = try String(contentsOfFile: try #require(try directory.transcripts().first), encoding: .utf8)
        #expect(transcript.contains(#"Price 5.50, all {\"note\":\"x 7.10\",\"price\":5.50,\"qty\":2,\"rate\":1e3}"#), "\(transcript)")
        #expect(JSONNumberText.lexemes(in: #"{"a": "1.50", "b": -2.50, "c": [1e-3, 4]}"#) == ["-2.50", "1e-3", "4"])
    }
}

extension NewcomerTests {
    /// A step that fails at run time is placed as a validation error is: file:line:col, and
    /// line and column in --json.
    @Test func aRuntimeFailureNamesItsPlace() throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", "flow: 1\nmodel: mock/m\nsteps:\n  - id: a\n    user: hi\n    on: {stop: fail}\nmock: [x]\n")
        let plain = try FlowBinary.run(["run", "w.yaml"], in: directory.path)
        #expect(plain.status == 1)
        #expect(plain.stderr.contains("w.yaml:4:5: error: step 'a' finished with 'stop'"), "\(plain.stderr)")
        let json = try JSON.parse(try FlowBinary.run(["run", "w.yaml", "--json"], in: directory.path).stdout)
        #expect(json["error"]?["line"] == .int(4) && json["error"]?["column"] == .int(5), "\(json)")
    }
}
