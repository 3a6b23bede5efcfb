import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore
import FlowSource
import FlowYAML

/// A test suite against a provider that enforces a rate limit the way OpenAI does finishes with
/// every case passed: 429s are waited out, the pace is learned from the headers, and declared
/// limits are never exceeded. Times are for `make bench`; these check outcomes.
@Suite struct RateLimitedSuiteTests {
    static func suite(_ directory: TemporaryDirectory, cases: Int, config: String? = nil) throws {
        try directory.writeDatasetSuite(cases: cases)
        if let config { try directory.write("flow.config.yaml", config) }
    }

    @Test(arguments: [TokenBucketLimit.Signals.openAI, .retryAfterOnly, .bare])
    func everyCasePassesAgainstALimitedProvider(signals: TokenBucketLimit.Signals) throws {
        let limit = TokenBucketLimit(perSecond: 40, signals: signals)
        let server = try StubServer(keepAlive: true, handler: limit.handler(latency: 0.02))
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try Self.suite(directory, cases: 100)
        // --retries 0: a 429 is not a retry, so none is needed.
        let result = try FlowBinary.run(["test", "w.yaml", "--live", "-j", "16", "--json", "--retries", "0"], in: directory.path, environment: [
            "OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.baseURL + "/v1", "FLOW_RETRY_BASE_DELAY": "0.05",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        #expect(report["passed"] == .int(100))
        let (answered, refused) = limit.counts
        #expect(answered == 100)
        // With OpenAI's headers flow paces ahead of the limit and may meet no 429 at all; without
        // them it can only learn the limit by meeting it.
        if signals != .openAI { #expect(refused > 0, "the suite is faster than the limit, so the limit was met") }
        #expect(report["rate_limits"]?["rate_limited"] == .int(refused), "every 429 is counted in the report")
        #expect(report["rate_limits"]?["requests"] == .int(answered + refused))
    }

    @Test func declaredLimitsKeepTheSuiteUnderTheProvidersLimit() throws {
        // The provider allows 12 a second; the project declares 600 a minute (10 a second). The
        // bucket holds 16, not 10: on a loaded machine requests paced apart can still arrive a few
        // at once (a fresh-clone CI run met one 429 with 10). Unpaced, 25 cases at -j 8 against
        // 10 ms answers arrive hundreds a second and empty any such bucket at once.
        let limit = TokenBucketLimit(perSecond: 12, capacity: 16, signals: .bare)
        let server = try StubServer(keepAlive: true, handler: limit.handler(latency: 0.01))
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try Self.suite(directory, cases: 25, config: "rate_limits:\n  openai: {rpm: 600}\n")
        let result = try FlowBinary.run(["test", "w.yaml", "--live", "-j", "8"], in: directory.path, environment: [
            "OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.baseURL + "/v1",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(limit.counts.refused == 0, "flow kept to the declared pace, so the provider never refused")
        #expect(result.stderr.contains("rate limits: "), "the summary says how long the pace held requests: \(result.stderr)")
    }

    @Test func rateLimitsInTheConfigAreChecked() throws {
        let source = SourceFile(path: "flow.config.yaml", text: """
            rate_limits:
              opneai: {rpm: 10}
              anthropic/claude-haiku-4-5: {rpm: 0, tpn: 5}
              gemini: 12
            """)
        do {
            _ = try ProjectConfig.decode(try YAML.load(source), source: source)
            Issue.record("a config with bad rate limits must not load")
        } catch {
            let text = "\(error)"
            #expect(text.contains("flow.config.yaml:2:3") && text.contains("unknown provider 'opneai'") && text.contains("openai"), "\(text)")
            #expect(text.contains("rate_limits.anthropic/claude-haiku-4-5.rpm must be a positive number"), "\(text)")
            #expect(text.contains("unknown key 'tpn'") && text.contains("tpm"), "\(text)")
            #expect(text.contains("rate_limits.gemini needs rpm: and/or tpm:"), "\(text)")
        }
        let good = SourceFile(path: "flow.config.yaml", text: "rate_limits:\n  openai: {rpm: 500, tpm: 200000}\n  openai/gpt-4o: {rpm: 50}\n")
        let config = try ProjectConfig.decode(try YAML.load(good), source: good)
        #expect(config.rateLimits["openai"] == DeclaredLimits(rpm: 500, tpm: 200_000))
        #expect(config.rateLimits["openai/gpt-4o"] == DeclaredLimits(rpm: 50))
    }
}
