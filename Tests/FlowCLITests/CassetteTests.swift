import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// Record once, replay with no network, no key and no cost; a changed prompt fails with a diff.
@Suite struct CassetteTests {
    static let workflow = """
        flow: 1
        model: openai/gpt-4o-mini
        params: {temperature: 0, max_tokens: 50}
        vars: {city: Lisbon}
        steps:
          - {id: ask, user: {file: ask.mustache}, save: answer}
          - id: check
            user: "Is this right? {{answer}}"
            on: {stop: [{if: {contains: "yes"}, end: true}, next]}
          - {id: never, user: unreachable unless the check fails}
        """

    func project() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", Self.workflow)
        try directory.write("ask.mustache", "What is {{city}} known for?")
        return directory
    }

    @Test func recordThenReplayWithoutNetworkOrKey() throws {
        let server = try StubServer { request in
            StubServer.Response(body: OpenAIWire.completion(content: request.bodyText.contains("right?") ? "yes, trams" : "Trams and tiles.",
                                                            promptTokens: 20, completionTokens: 4))
        }
        let directory = try project()
        let environment = ["OPENAI_API_KEY": "sk-cassette-SECRET", "OPENAI_BASE_URL": server.baseURL + "/v1"]
        let recorded = try FlowBinary.run(["run", "w.yaml", "--record", "--json"], in: directory.path, environment: environment)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let cassette = try String(contentsOfFile: directory.path + "/w.cassette.json", encoding: .utf8)
        // Recording again gives the same bytes: keys are sorted and nothing in it is a timestamp.
        _ = try FlowBinary.run(["run", "w.yaml"], in: directory.path, environment: environment.merging(["FLOW_CASSETTE": "record"]) { $1 })
        #expect(try String(contentsOfFile: directory.path + "/w.cassette.json", encoding: .utf8) == cassette)
        server.stop()
        #expect(!cassette.contains("sk-cassette-SECRET"))
        #expect(!cassette.contains(server.baseURL), "no URLs or headers in a cassette")
        #expect(try Cassette(json: try JSON.parse(cassette)).interactions.map(\.step) == ["ask", "check"])
        let permissions = try FileManager.default.attributesOfItem(atPath: directory.path + "/w.cassette.json")[.posixPermissions] as? Int
        #expect(permissions == 0o600, "cassettes are written owner-only")

        // No server, no key: everything comes from the cassette.
        let replayed = try FlowBinary.run(["run", "w.yaml", "--replay", "--json"], in: directory.path)
        #expect(replayed.status == 0, "\(replayed.stderr)")
        let a = try JSON.parse(recorded.stdout), b = try JSON.parse(replayed.stdout)
        #expect(a["output"] == b["output"])
        #expect(a["path"] == b["path"])
        #expect(a["totals"]?["input_tokens"] == b["totals"]?["input_tokens"], "tokens replay too")
        #expect(a["totals"]?["output_tokens"] == b["totals"]?["output_tokens"])

        // A replay spends nothing: its cost is 0 and the recorded cost is kept beside it.
        let recordedCost = try #require(a["totals"]?["cost_usd"]?.double)
        #expect(recordedCost > 0)
        #expect(b["totals"]?["cost_usd"] == .double(0))
        #expect(b["totals"]?["recorded_cost_usd"]?.double == recordedCost)
        #expect(b["totals"]?["offline_calls"] == .int(2))
        #expect(b["steps"]?.array?.allSatisfy { $0["mode"] == .string("replay") && $0["cost_usd"] == .double(0) } == true)
        let transcript = try TranscriptReader.read(try #require(b["transcript"]?.string).hasPrefix("/")
                                                   ? b["transcript"]!.string! : directory.path + "/" + b["transcript"]!.string!)
        #expect(transcript.all(.response).allSatisfy { $0["mode"] == .string("replay") && $0["cost_usd"] == .double(0)
            && ($0["recorded_cost_usd"]?.double ?? 0) > 0 })

        // flow cost adds up live calls only: the two recorded ones (the re-record above is live too).
        let cost = try JSON.parse(try FlowBinary.run(["cost", "--json"], in: directory.path).stdout)
        #expect(cost["workflow"]?.array?.first?["calls"] == .int(4))
        #expect(cost["workflow"]?.array?.first?["cost_usd"]?.double.map { abs($0 - 2 * recordedCost) < 1e-12 } == true)
        let all = try JSON.parse(try FlowBinary.run(["cost", "--json", "--include-replays"], in: directory.path).stdout)
        #expect(all["workflow"]?.array?.first?["calls"] == .int(6))
    }

    @Test func changedTemplateFailsReplayWithADiffNamingTheChange() throws {
        let server = try StubServer { _ in StubServer.Response(body: OpenAIWire.completion(content: "yes")) }
        let directory = try project()
        _ = try FlowBinary.run(["run", "w.yaml", "--record"], in: directory.path,
                               environment: ["OPENAI_API_KEY": "k", "OPENAI_BASE_URL": server.baseURL + "/v1"])
        server.stop()
        try directory.write("ask.mustache", "What is {{city}} famous for?")
        let result = try FlowBinary.run(["run", "w.yaml"], in: directory.path, environment: ["FLOW_CASSETTE": "replay"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("""
            error: step 'ask': no recording of this request in w.cassette.json; the nearest recorded request (step 'ask') differs:
              message 1 (user) changed:
                - What is Lisbon known for?
                + What is Lisbon famous for?
            record it again with 'flow run w.yaml --record'
            """))
        let params = try FlowBinary.run(["run", "w.yaml", "--replay", "--var", "city=Porto"], in: directory.path)
        #expect(params.stderr.contains("+ What is Porto famous for?"))
    }

    @Test func changedParameterIsNamed() throws {
        let directory = try project()
        try directory.write("w.yaml", "flow: 1\nmodel: mock/m\nparams: {temperature: 0.2}\nsteps: [{id: a, user: hi}]\nmock: [x]\n")
        #expect(try FlowBinary.run(["run", "w.yaml", "--record"], in: directory.path).status == 0)
        try directory.write("w.yaml", "flow: 1\nmodel: mock/m\nparams: {temperature: 0.7}\nsteps: [{id: a, user: hi}]\nmock: [x]\n")
        let result = try FlowBinary.run(["run", "w.yaml", "--replay"], in: directory.path)
        #expect(result.stderr.contains("  params.temperature: 0.2 → 0.7\n"))
    }

    @Test func replayWithoutACassetteSaysHowToRecord() throws {
        let directory = try project()
        let result = try FlowBinary.run(["run", "w.yaml", "--replay"], in: directory.path)
        #expect(result.status == 66)
        #expect(result.stderr == "w.cassette.json: error: no cassette to replay\nhint: record one with 'flow run w.yaml --record'\n")
    }

    @Test(arguments: ["hello", "persona", "haiku", "extract", "sentiment", "continuation", "fallback", "tools"])
    func everyExampleReplaysToTheSameOutput(_ name: String) throws {
        let directory = try TemporaryDirectory()
        let cassette = directory.path + "/\(name).cassette.json"
        let workflow = FlowBinary.repository + "/workflows/\(name).yaml"
        let recorded = try FlowBinary.run(["run", workflow, "--record", "--cassette", cassette, "--json"], in: directory.path)
        let replayed = try FlowBinary.run(["run", workflow, "--replay", "--cassette", cassette, "--json"], in: directory.path)
        #expect(recorded.status == 0 && replayed.status == 0, "\(recorded.stderr)\(replayed.stderr)")
        let a = try JSON.parse(recorded.stdout), b = try JSON.parse(replayed.stdout)
        #expect(a["output"] == b["output"])
        #expect(a["path"] == b["path"])
    }
}
