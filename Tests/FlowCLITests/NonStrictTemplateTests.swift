import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// `strict: false` renders missing names as nothing, as docs/workflow-format.md promises: the
/// load-time checks must not refuse what rendering accepts (a variable, a section, an inverted
/// section, a partial, a dynamic partial name).
@Suite struct NonStrictTemplateTests {
    static let turn = "I ({{cannot}}) be seen! {{#gone}}x{{/gone}}{{^gone}}y{{/gone}} [{{> nopartial}}] [{{> *dyn}}]"

    func project(strict: Bool) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", """
            flow: 1
            model: mock/m
            steps:
              - {id: a, user: {text: "\(Self.turn)", strict: \(strict)}}
            mock: [ok]
            """)
        return directory
    }

    @Test func missingNamesRenderAsNothing() throws {
        let directory = try project(strict: false)
        #expect(try FlowBinary.run(["validate", "w.yaml"], in: directory.path).status == 0)
        let run = try FlowBinary.run(["run", "w.yaml", "--json"], in: directory.path)
        #expect(run.status == 0, "\(run.stderr)")
        // Below the current directory, the transcript's path is relative to it.
        let path = try #require(try JSON.parse(run.stdout)["transcript"]?.string)
        let transcript = try TranscriptReader.read(directory.path + "/" + path)
        let sent = transcript.first(.request)?["messages"]?.array?.last?["content"]?.string
        #expect(sent == "I () be seen! y [] []")
    }

    @Test func strictTemplatesStillRefuseThem() throws {
        let directory = try project(strict: true)
        let result = try FlowBinary.run(["validate", "w.yaml"], in: directory.path)
        #expect(result.status == 65)
        #expect(result.stderr.contains("variable 'cannot' is not defined"))
        #expect(result.stderr.contains("partial 'nopartial' not found"))
    }
}
