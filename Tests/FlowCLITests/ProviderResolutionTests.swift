import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// Providers are resolved once per run, in preflight: a key file is read before the first
/// request and never again, so a run does not depend on the file staying put.
@Suite struct ProviderResolutionTests {
    @Test func aKeyFileIsReadOncePerRun() throws {
        let directory = try TemporaryDirectory()
        let keyFile = directory.path + "/openai.key"
        try "sk-from-a-key-file-0123456789".write(toFile: keyFile, atomically: true, encoding: .utf8)
        let server = try StubServer { request in
            // The first request removes the file: a provider resolved again would fail to read it.
            try? FileManager.default.removeItem(atPath: keyFile)
            let authorized = request.headers["authorization"] == "Bearer sk-from-a-key-file-0123456789"
            return StubServer.Response(body: OpenAIWire.completion(content: authorized ? "ok" : "no key"))
        }
        defer { server.stop() }
        try directory.write("flow.config.yaml", "key_files:\n  openai: \(keyFile)\n")
        try directory.write("w.yaml", """
            flow: 1
            model: openai/gpt-4o-mini
            steps: [{id: a, user: one}, {id: b, user: two}, {id: c, user: three}]
            """)
        let result = try FlowBinary.run(["run", "w.yaml", "--json"], in: directory.path,
                                        environment: ["OPENAI_BASE_URL": server.baseURL + "/v1"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(server.requests.count == 3)
        #expect(try JSON.parse(result.stdout)["steps"]?.array?.map { $0["content"] } == [.string("ok"), .string("ok"), .string("ok")])
    }
}
