import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// `flow import promptfooconfig.yaml` end to end: the config, its prompt files and its CSV tests
/// become one workflow with variants, which validates, is recorded once against a loopback
/// server speaking OpenAI's documented wire format (Ollama's endpoint is OpenAI-compatible), and
/// then passes offline from the recording.
@Suite struct PromptfooImportTests {
    static let fixture = FlowBinary.repository + "/Tests/FlowCLITests/ImportFixtures/promptfoo/support"

    @Test func aConfigWithPromptFilesAndCSVTestsRecordsOnceThenPassesOffline() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/support", withIntermediateDirectories: true)
        try directory.copyTree(from: Self.fixture, under: "support/")
        let imported = try FlowBinary.run(["import", "support/promptfooconfig.yaml"], in: directory.path)
        try #require(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("promptfooconfig.yaml:35: assertion 'javascript' is not carried over"), "\(imported.stdout)")
        #expect(imported.stdout.contains("next: flow validate support/support.yaml && flow test support/support.yaml --live --record"))
        let workflow = try String(contentsOfFile: directory.path + "/support/support.yaml", encoding: .utf8)
        for line in ["{not: {matches: \"(?i)as an ai\"}}", "{matches: \"(30 days|thirty days)\"}",
                     "{judge: {rubric: \"Gives the refund window and says where to ask.\", model: \"openai/gpt-4o-mini\"}}",
                     "name: \"address change\"", "{contains: \"address\"}", "{matches: \"(?i)(yes|no)\"}",
                     "{name: p2-ollama-llama3-2, model: \"ollama/llama3.2\", system: \"\", steps: {answer: {user: {file: support.p2.user.mustache}}}}"] {
            #expect(workflow.contains(line), "\(line)\n\(workflow)")
        }
        // The list var makes one case per value: 1 + 2 + 2 CSV rows.
        #expect(workflow.components(separatedBy: "  - name: ").count - 1 == 5)
        #expect(try FlowBinary.run(["validate", "support/support.yaml"], in: directory.path).status == 0)
        let offline = try FlowBinary.run(["test", "support/support.yaml"], in: directory.path)
        #expect(offline.status != 0 && offline.stdout.contains("no recording to replay"), "\(offline.stdout)")

        let server = try StubServer { request in
            // The judge asks for a score; every other call is the answer.
            let judged = request.bodyText.contains("\"score\"")
            return StubServer.Response(body: OpenAIWire.completion(content: judged ? #"{"score": 5, "reason": "It gives the window."}"#
                : "You have 30 days; ask support about your order or address. Yes, we ship abroad."))
        }
        defer { server.stop() }
        let config = try String(contentsOfFile: directory.path + "/support/flow.config.yaml", encoding: .utf8)
        try directory.write("support/flow.config.yaml", config.replacingOccurrences(of: "http://localhost:11434/v1", with: server.baseURL + "/v1"))
        let recorded = try FlowBinary.run(["test", "support/support.yaml", "--live", "--record"], in: directory.path,
                                          environment: ["OPENAI_API_KEY": "sk-test-0000", "OPENAI_BASE_URL": server.baseURL + "/v1"])
        #expect(recorded.status == 0, "\(recorded.stdout) \(recorded.stderr)")
        #expect(server.requests.count >= 20, "\(server.requests.count)")
        let replayed = try FlowBinary.run(["test", "support/support.yaml"], in: directory.path)
        #expect(replayed.status == 0, "\(replayed.stdout) \(replayed.stderr)")
    }
}
