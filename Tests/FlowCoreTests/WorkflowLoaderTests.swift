import Foundation
import FlowSource
import FlowTestSupport
import Testing
@testable import FlowCore

/// Loading from disk: file templates, sha256, references between steps.
@Suite struct WorkflowLoaderTests {
    let scratch: TemporaryDirectory
    var directory: String { scratch.path }

    init() throws {
        scratch = try TemporaryDirectory(prefix: "flow-loader")
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
        #expect(try loaded.template(loaded.workflow.steps[0].user!).template.render(["topic": .string("owls")]) == "Tell me about owls.")
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

    /// `format_assertion` asks for every format to be checked: one flow cannot check is refused
    /// when the workflow loads, inline or in a schema file, in a step or an expectation.
    @Test func anUncheckedFormatUnderFormatAssertionIsRefused() throws {
        _ = try write("workflows/host.json", #"{"type": "object", "properties": {"format": {"type": "string"}, "host": {"format": "idn-hostname"}}}"#)
        let path = try write("workflows/w.yaml", """
            flow: 1
            model: mock/x
            steps:
              - {id: a, user: hi, schema: {format: iri}, format_assertion: true}
              - {id: b, user: hi, schema: {format: iri}}
            tests:
              - expect: [{json_schema: {file: host.json}, format_assertion: true}]
            mock: ['"x"', '"y"']
            """)
        let message = errors(path)
        #expect(message.contains("workflows/w.yaml:4:5: error: format_assertion is on, but flow does not check the format 'iri' (at #/format)"), "\(message)")
        #expect(message.contains("does not check the format 'idn-hostname' (at #/properties/host/format)"), "\(message)")
        // Step b keeps format as an annotation; a property named "format" is not the keyword.
        #expect(message.components(separatedBy: "error:").count == 3, "\(message)")
    }

    /// What run refuses before sending, validate refuses too, at the key that causes it.
    @Test(arguments: [
        ("model: anthropic/claude-haiku-4-5\nsteps:\n  - {id: a, user: hi}\n",
         "workflows/w.yaml:2:1: error: step 'a': Anthropic requires max_tokens"),
        ("model: openai/gpt-5\nsteps:\n  - id: a\n    user: hi\n    params: {temperature: 0.2}\n",
         "workflows/w.yaml:6:14: error: step 'a': gpt-5 is a reasoning model and rejects temperature"),
        ("model: openai/gpt-4o\nparams:\n  stop: [a, b, c, d, e]\nsteps:\n  - {id: a, user: hi}\n",
         "workflows/w.yaml:4:3: error: step 'a': OpenAI takes at most 4 stop sequences"),
        ("model: openai/gpt-4o\nsteps:\n  - id: a\n    user: [{text: hi}, {image: {url: 'https://example.com/x.png'}}]\nvariants:\n  - {name: g, model: gemini/gemini-2.5-flash}\n",
         "workflows/w.yaml:5:5: error: variant 'g': step 'a': Gemini takes images and documents inline, not by URL"),
        ("model: anthropic/claude-haiku-4-5\nparams: {max_tokens: 10, temperature: 1.5}\nsteps:\n  - {id: a, user: hi}\n",
         "workflows/w.yaml:3:26: error: step 'a': Anthropic takes a temperature from 0 to 1"),
    ])
    func providerRulesAreCheckedWhereTheyAreWritten(_ body: String, _ expected: String) throws {
        let path = try write("workflows/w.yaml", "flow: 1\n" + body)
        let message = errors(path)
        #expect(message.contains(expected), "\(message)")
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

    /// The byte-level fold gives what splitting into parts and joining them gave.
    @Test(arguments: ["", ".", "..", "/", "//", "/..", "a", "a/", "./a", "a/./b", "a/../b", "../../a", "a/../../b", "/a/../../b",
                      "a//b///c/", "workflows/../templates/x.mustache", "x/../..", "é/./日/../ü", "..a/b..", "a/.../b", "./", "/./."])
    func normalizeAgreesWithSplittingAndJoining(_ path: String) {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        let expected = path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
        #expect(WorkflowLoader.normalize(path) == expected)
    }

    @Test func normalizeFoldsDotDot() {
        #expect(WorkflowLoader.normalize("workflows/../templates/a.mustache") == "templates/a.mustache")
        #expect(WorkflowLoader.normalize("/x/./y/../z") == "/x/z")
        #expect(WorkflowLoader.normalize("../t") == "../t")
    }
}

/// Partials: where they come from, what they may name, and how their errors are placed.
@Suite struct PartialLoadingTests {
    let scratch: TemporaryDirectory
    var root: String { scratch.path }

    init() throws {
        scratch = try TemporaryDirectory(prefix: "flow-partials")
        for directory in ["workflows", "templates/shared", "outside"] {
            try FileManager.default.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
        }
        try "git".write(toFile: root + "/.git", atomically: true, encoding: .utf8)
    }

    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let path = root + "/" + relative
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func errors(_ path: String) -> String {
        do {
            _ = try WorkflowLoader.load(path: path)
            return "no error"
        } catch {
            return error.description.replacingOccurrences(of: root + "/", with: "")
        }
    }

    func workflow(user: String) -> String {
        "flow: 1\nmodel: mock/x\nvars: {team: Support, items: []}\nsteps:\n  - id: a\n    user: \"\(user)\"\n"
    }

    @Test func partialsComeFromTheNearestTemplatesDirectoryTransitively() throws {
        try write("templates/signature.mustache", "-- {{team}}\n{{> shared/legal}}")
        try write("templates/shared/legal.mustache", "Confidential.")
        let path = try write("workflows/w.yaml", workflow(user: "Hi\\n{{> signature}}"))
        let loaded = try WorkflowLoader.load(path: path)
        #expect(loaded.partials.keys.sorted() == ["shared/legal", "signature"])
        #expect(loaded.templateFiles.map { ($0.path as NSString).lastPathComponent }.sorted() == ["legal.mustache", "signature.mustache"])
        #expect(loaded.templateFiles.contains(TemplateFile(path: root + "/templates/shared/legal.mustache", sha256: SHA256.hex("Confidential."))))
        let template = loaded.template(loaded.workflow.steps[0].user!)
        #expect(try template.template.render(["team": .string("Support")], options: loaded.renderOptions(strict: true))
                == "Hi\n-- Support\nConfidential.")
    }

    @Test func missingPartialHasDidYouMeanAtTheTag() throws {
        try write("templates/signature.mustache", "-- {{team}}")
        let path = try write("workflows/w.yaml", workflow(user: "Hi {{> signatur}}"))
        #expect(errors(path) == """
            workflows/w.yaml:6:15: error: partial 'signatur' not found in \(root)/templates
                user: "Hi {{> signatur}}"
                          ^
            hint: did you mean 'signature'?
            """.replacingOccurrences(of: root + "/", with: ""))
    }

    @Test func partialNamesCannotLeaveTheDirectory() throws {
        try write("outside/secret.mustache", "secret")
        let path = try write("workflows/w.yaml", workflow(user: "{{> ../outside/secret}}"))
        #expect(errors(path).hasPrefix("workflows/w.yaml:6:12: error: partial name '../outside/secret' leaves the partials directory templates\n"))
        let absolute = try write("workflows/abs.yaml", workflow(user: "{{> /etc/passwd}}"))
        #expect(errors(absolute).contains("error: partial name '/etc/passwd' leaves the partials directory"))
    }

    @Test func symlinkOutOfTheDirectoryIsRefused() throws {
        try write("outside/secret.mustache", "secret")
        try FileManager.default.createSymbolicLink(atPath: root + "/templates/link.mustache", withDestinationPath: root + "/outside/secret.mustache")
        let path = try write("workflows/w.yaml", workflow(user: "{{> link}}"))
        #expect(errors(path).contains("error: partial 'link' is a link that leads out of templates"))
    }

    @Test func errorsInsideAPartialPointIntoItsFile() throws {
        try write("templates/broken.mustache", "line\n{{#open}}never closed")
        let path = try write("workflows/w.yaml", workflow(user: "{{> broken}}"))
        #expect(errors(path) == """
            templates/broken.mustache:2:1: error: '{{#open}}' is never closed
            {{#open}}never closed
            ^
            hint: add {{/open}} where it ends
            """)
    }

    @Test func dynamicPartialsLoadTheWholeDirectory() throws {
        try write("templates/a.mustache", "A")
        try write("templates/shared/b.mustache", "B")
        let path = try write("workflows/w.yaml", "flow: 1\nmodel: mock/x\nvars: {which: a}\nsteps: [{id: s, user: \"{{>*which}}\"}]\n")
        let loaded = try WorkflowLoader.load(path: path)
        #expect(loaded.partials.keys.sorted() == ["a", "shared/b"])
    }

    @Test func configuredPartialsDirectory() throws {
        try FileManager.default.createDirectory(atPath: root + "/workflows/parts", withIntermediateDirectories: true)
        try write("workflows/parts/p.mustache", "from parts")
        let path = try write("workflows/w.yaml", "flow: 1\nmodel: mock/x\npartials: parts\nsteps: [{id: s, user: \"{{> p}}\"}]\n")
        #expect(try WorkflowLoader.load(path: path).partials["p"]?.file.path == root + "/workflows/parts/p.mustache")
    }

    @Test func blockScalarErrorsArePlacedOnTheirLine() throws {
        let path = try write("workflows/w.yaml", """
            flow: 1
            model: mock/x
            vars: {topic: x}
            steps:
              - id: a
                user: |
                  First line.
                  About {{tpoic}} here.
            """)
        #expect(errors(path) == """
            workflows/w.yaml:8:13: error: variable 'tpoic' is not defined
                  About {{tpoic}} here.
                        ^
            hint: did you mean 'topic'?
            """)
    }

    @Test func templateErrorInsideASectionIsOnlyCaughtAtRuntimeButStillPlaced() throws {
        // Names inside sections may be fields of the item, so loading accepts them.
        let path = try write("workflows/w.yaml", workflow(user: "{{#items}}{{nmae}}{{/items}}"))
        #expect(errors(path) == "no error")
    }
}
