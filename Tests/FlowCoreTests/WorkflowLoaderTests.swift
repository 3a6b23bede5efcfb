import Foundation
import FlowSource
import Testing
@testable import FlowCore

/// Loading from disk: file templates, sha256, references between steps.
@Suite struct WorkflowLoaderTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "flow-loader-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/workflows", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/templates", withIntermediateDirectories: true)
    }

    func write(_ relative: String, _ text: String) throws -> String {
        let path = directory + "/" + relative
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func errors(_ path: String) -> String {
        do {
            _ = try WorkflowLoader.load(path: path)
            return "no error"
        } catch {
            return error.description.replacingOccurrences(of: directory + "/", with: "")
        }
    }

    @Test func fileTemplatesResolveRelativeToTheWorkflow() throws {
        _ = try write("templates/ask.mustache", "Tell me about {{topic}}.")
        let path = try write("workflows/w.yaml", """
            flow: 1
            model: mock/x
            vars: {topic: owls}
            steps:
              - {id: a, user: {file: ../templates/ask.mustache}}
            """)
        let loaded = try WorkflowLoader.load(path: path)
        #expect(loaded.templateFiles == [TemplateFile(path: directory + "/templates/ask.mustache",
                                                      sha256: SHA256.hex("Tell me about {{topic}}."))])
        #expect(loaded.sha256 == SHA256.hex(try String(contentsOfFile: path, encoding: .utf8)))
        #expect(try loaded.template(loaded.workflow.steps[0].user).template.render(["topic": .string("owls")]) == "Tell me about owls.")
    }

    @Test func missingTemplateFileIsPlacedAtTheReference() throws {
        let path = try write("workflows/w.yaml", "flow: 1\nmodel: mock/x\nsteps:\n  - {id: a, user: {file: gone.mustache}}\n")
        #expect(errors(path) == """
            workflows/w.yaml:4:26: error: template file 'workflows/gone.mustache' does not exist
              - {id: a, user: {file: gone.mustache}}
                                     ^
            hint: paths are relative to the workflow file's directory
            """)
    }

    @Test func undefinedVariableInAFileTemplatePointsIntoTheFile() throws {
        _ = try write("templates/t.mustache", "Line one\nAbout {{topik}}\n")
        let path = try write("workflows/w.yaml", "flow: 1\nmodel: mock/x\nvars: {topic: x}\nsteps:\n  - {id: a, user: {file: ../templates/t.mustache}}\n")
        #expect(errors(path) == """
            templates/t.mustache:2:7: error: variable 'topik' is not defined
            About {{topik}}
                  ^
            hint: did you mean 'topic'?
            """)
    }

    @Test func aSaveIsUsableOnlyAfterItsStep() throws {
        let path = try write("workflows/w.yaml", """
            flow: 1
            model: mock/x
            steps:
              - {id: a, user: "use {{later}}"}
              - {id: b, user: hi, save: later}
              - {id: c, user: "{{later}} ok"}
            output: "{{later}} {{nothing}}"
            """)
        #expect(errors(path) == """
            workflows/w.yaml:4:24: error: variable 'later' is not defined
              - {id: a, user: "use {{later}}"}
                                   ^
            hint: 'later' is saved by step 'b', which runs later
            workflows/w.yaml:7:20: error: variable 'nothing' is not defined
            output: "{{later}} {{nothing}}"
                               ^
            hint: defined here: later
            """)
    }

    @Test func missingWorkflowIsUnreadable() {
        let result = Result { try WorkflowLoader.load(path: directory + "/none.yaml") }
        guard case .failure(let error as LoadError) = result, case .unreadable(let diagnostic) = error else {
            Issue.record("expected an unreadable error")
            return
        }
        #expect(diagnostic.message == "file does not exist")
    }

    @Test func invalidUTF8IsPlaced() throws {
        let path = directory + "/workflows/bad.yaml"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("flow: 1\nname: a".utf8) + [0xFF, 0x0A]))
        #expect(errors(path) == "workflows/bad.yaml:2:8: error: file is not valid UTF-8")
    }

    @Test func normalizeFoldsDotDot() {
        #expect(WorkflowLoader.normalize("workflows/../templates/a.mustache") == "templates/a.mustache")
        #expect(WorkflowLoader.normalize("/x/./y/../z") == "/x/z")
        #expect(WorkflowLoader.normalize("../t") == "../t")
    }
}
