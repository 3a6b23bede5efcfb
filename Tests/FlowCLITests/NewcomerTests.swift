import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// What a new user met in the seed's own scenarios (issue 27), each held by a test.
@Suite struct NewcomerTests {
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
        let server = try StubServer { _ in StubServer.Response(body: OpenAIWire.completion(content: "fine")) }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", "flow: 1\nmodel: openai/gpt-4o-mini\nsteps: [{id: a, user: hi}]\n")
        let result = try FlowBinary.run(["run", "w.yaml", "--record"], in: directory.path,
                                        environment: ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.baseURL + "/v1"])
        #expect(result.status == 0, "\(result.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0 != ".flow" }.sorted()
        #expect(left == ["w.cassette.json", "w.yaml"])
    }
}
