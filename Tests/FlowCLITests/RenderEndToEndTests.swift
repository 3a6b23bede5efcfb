import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// `flow render` on the built binary: what a reviewer sees, and nothing sent.
@Suite struct RenderEndToEndTests {
    static let workflow = """
        flow: 1
        name: triage
        model: openai/gpt-4o-mini
        params: {temperature: 0, max_tokens: 50}
        vars: {ticket: null}
        system: "{{> persona}}"
        steps:
          - id: classify
            user: "Classify: {{ticket}}"
            prefill: "{"
            parse: json
            save: classify
          - id: reply
            user: "Write a {{classify.label}} reply to: {{ticket}}"
        """

    func project() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/templates", withIntermediateDirectories: true)
        try directory.write("templates/persona.mustache", "You are a support agent.")
        try directory.write("triage.yaml", Self.workflow)
        return directory
    }

    @Test func rendersEachStepWithStandInsForUnknownAnswers() throws {
        let directory = try project()
        let result = try FlowBinary.run(["render", "triage.yaml", "--var", "ticket=Card declined"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            # step classify (openai/gpt-4o-mini)

            ## system
            You are a support agent.

            ## user
            Classify: Card declined

            ## assistant (prefill)
            {

            params: temperature 0.0, max_tokens 50

            # step reply (openai/gpt-4o-mini)
            (3 earlier messages)

            ## user
            Write a [classify.label] reply to: Card declined

            params: temperature 0.0, max_tokens 50


            """)
    }

    @Test func wireBodyForAProviderHasNoKey() throws {
        let directory = try project()
        let result = try FlowBinary.run(["render", "triage.yaml", "--var", "ticket=Card declined", "--step", "classify",
                                         "--provider", "openai", "--json"], in: directory.path,
                                        environment: ["OPENAI_API_KEY": "sk-render-SECRET"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("sk-render-SECRET"))
        let steps = try JSON.parse(result.stdout)
        #expect(steps.array?.count == 1)
        #expect(steps[0]?["wire"]?["url"] == .string("https://api.openai.com/v1/chat/completions"))
        #expect(steps[0]?["wire"]?["body"]?.serialized == #"{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a support agent."},{"role":"user","content":"Classify: Card declined"},{"role":"assistant","content":"{"}],"temperature":0.0,"max_completion_tokens":50}"#)
    }

    /// Issue 14's parameters, each in the provider's own wire names, as `flow render` prints them.
    @Test(arguments: [
        ("openai", "{presence_penalty: 0.5, frequency_penalty: 0.2, n: 2}", "gpt-4o-mini",
         [#""presence_penalty": 0.5"#, #""frequency_penalty": 0.2"#, #""n": 2"#, #""prompt_cache_key": "k1""#]),
        ("openai", "{reasoning: {effort: low}}", "o4-mini", [#""reasoning_effort": "low""#]),
        ("anthropic", "{top_k: 5, n: 2}", "claude-sonnet-4-5", [#""top_k": 5"#, #""cache_control": {"#, #""type": "ephemeral""#]),
        ("anthropic", "{reasoning: {budget_tokens: 2048}}", "claude-sonnet-4-5", [#""thinking": {"#, #""budget_tokens": 2048"#]),
        ("gemini", "{top_k: 5, presence_penalty: 0.5, n: 2, reasoning: {budget_tokens: 2048}}", "gemini-2.5-flash",
         [#""topK": 5"#, #""presencePenalty": 0.5"#, #""candidateCount": 2"#, #""thinkingBudget": 2048"#]),
        ("openai-responses", "{reasoning: {effort: high}}", "gpt-5",
         [#""reasoning": {"#, #""effort": "high""#, #""store": false"#, #""max_output_tokens": 4096"#]),
    ])
    func newParametersInEachWireFormat(provider: String, params: String, model: String, fields: [String]) throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", """
            flow: 1
            model: \(provider)/\(model)
            prompt_cache_key: k1
            params: {max_tokens: 4096}
            system: {text: "You read contracts.", cache: true}
            steps: [{id: a, user: hi, params: \(params)}]
            """)
        let result = try FlowBinary.run(["render", "w.yaml", "--provider", provider], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        for field in fields { #expect(result.stdout.contains(field), "\(provider): \(field)\n\(result.stdout)") }
    }

    @Test func anthropicBodyAndUnknownStep() throws {
        let directory = try project()
        let anthropic = try FlowBinary.run(["render", "triage.yaml", "--var", "ticket=x", "--step", "reply", "--provider", "anthropic"],
                                           in: directory.path)
        #expect(anthropic.status == 0)
        #expect(anthropic.stdout.hasPrefix("# step reply (openai/gpt-4o-mini)\nPOST https://api.anthropic.com/v1/messages\n{\n  \"model\": \"gpt-4o-mini\",\n  \"max_tokens\": 50,\n  \"system\": \"You are a support agent.\",\n"))
        let unknown = try FlowBinary.run(["render", "triage.yaml", "--step", "clasify"], in: directory.path)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.hasPrefix("Error: --step: the workflow has no step 'clasify'; its steps: classify, reply\nHint: Did you mean 'classify'?\n"))
    }

    @Test func geminiRefusesAPrefillWithExit65() throws {
        let directory = try project()
        let result = try FlowBinary.run(["render", "triage.yaml", "--var", "ticket=x", "--provider", "gemini"], in: directory.path)
        #expect(result.status == 65)
        #expect(result.stdout.contains("# step classify (openai/gpt-4o-mini)\nerror: gemini/gpt-4o-mini does not accept an assistant prefill: remove 'prefill' or run this step on another model\n"))
        #expect(result.stdout.contains("# step reply (openai/gpt-4o-mini)\nPOST https://generativelanguage.googleapis.com/v1beta/models/gpt-4o-mini:generateContent\n"))
    }

    @Test func runRecordsEveryTemplateFileWithItsDigest() throws {
        let directory = try project()
        try directory.write("mocked.yaml", Self.workflow.replacingOccurrences(of: "openai/gpt-4o-mini", with: "mock/m")
                            + "\nmock: [\"\\\"label\\\": \\\"billing\\\"}\", \"Sorry about your card.\"]\n")
        let result = try FlowBinary.run(["run", "mocked.yaml", "--var", "ticket=Card declined", "--json"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        let transcript = try String(contentsOfFile: directory.path + "/" + (report["transcript"]?.string ?? ""), encoding: .utf8)
        let start = try JSON.parse(String(transcript.split(separator: "\n")[0]))
        #expect(start["templates"] == .array([.object([("path", .string("templates/persona.mustache")),
                                                       ("sha256", .string(SHA256.hex("You are a support agent.")))])]))
        let requests = try transcript.split(separator: "\n").map { try JSON.parse(String($0)) }.filter { $0["type"] == .string("request") }
        let request = try #require(requests.last)
        #expect(request["messages"]?[3]?["content"] == .string("Write a billing reply to: Card declined"))
    }
}
