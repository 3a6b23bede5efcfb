import Foundation
import FlowSource
import FlowTestSupport
import Testing
@testable import FlowCore

/// `flow lsp` driven by pygls's LanguageClient (PyPI), as an editor drives it: the diagnostics it
/// publishes are flow validate's, for unsaved buffers, placed in the file each problem is in; and
/// completion, hover, definition and symbols answer from the buffer being typed.
@Suite struct LanguageServerTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python/lsp_session.py").path
    static let hasClient = PythonModules.available("pygls", "lsprotocol")

    /// Runs `actions` through the client; the printed session as JSON.
    func session(_ actions: [JSON], in directory: TemporaryDirectory) throws -> JSON {
        try directory.write("scenario.json", JSON.array(actions).serialized)
        let result = try PythonModules.run(Self.script, [FlowBinary.path, directory.path + "/scenario.json"])
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        return try JSON.parse(result.stdout)
    }

    func uri(_ path: String) -> String { "file://" + path }

    /// (line, message) of each diagnostic, as flow validate and the server both say them.
    func lines(_ diagnostics: JSON?) -> [String] {
        (diagnostics?.array ?? []).map { "\(($0["range"]?["start"]?["line"]?.int ?? -1) + 1): \($0["message"]?.string ?? "")" }.sorted()
    }

    func lines(_ diagnostics: [Diagnostic], file: String) -> [String] {
        diagnostics.filter { $0.path == file }.map { "\($0.mark?.line ?? 1): \($0.message)" + ($0.hint.map { "\nhint: " + $0 } ?? "") }.sorted()
    }

    /// What flow validate says of `path`: its errors, or its warnings.
    func validate(_ path: String) -> [Diagnostic] {
        do { return try WorkflowLoader.load(path: path).warnings } catch { return error.diagnostics }
    }

    @Test(.enabled(if: hasClient, Comment(rawValue: PythonModules.missing("pygls and lsprotocol"))))
    func theExamplesAndBrokenWorkflowsGetFlowValidatesDiagnostics() throws {
        let folder = FlowBinary.repository + "/workflows"
        var paths = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }.sorted().map { folder + "/" + $0 }
        let directory = try TemporaryDirectory()
        for (name, yaml, _) in SchemaTests.broken {
            try directory.write(name + ".yaml", yaml)
            paths.append(directory.path + "/" + name + ".yaml")
        }
        try directory.write("names.yaml", "flow: 1\nmodel: mock/m\nvars: {topic: owls}\nsteps:\n  - {id: a, user: \"{{topc}}\", on: {stop: {goto: c}}}\n  - {id: b, user: \"{{later}}\"}\n  - {id: c, user: x, save: later}\n")
        paths.append(directory.path + "/names.yaml")
        let actions: [JSON] = try paths.map { .object([("open", .string(uri($0))), ("text", .string(try String(contentsOfFile: $0, encoding: .utf8)))]) }
        let published = try session(actions, in: directory)["diagnostics"]
        var problems = 0
        for path in paths {
            let expected = lines(validate(path), file: path)
            problems += expected.count
            #expect(lines(published?[uri(path)]) == expected, "\(path)")
        }
        #expect(problems >= SchemaTests.broken.count + 2, "the broken files have problems to compare: \(problems)")
    }

    @Test(.enabled(if: hasClient, Comment(rawValue: PythonModules.missing("pygls and lsprotocol"))))
    func unsavedBuffersAreCheckedAndEachProblemIsPlacedInItsFile() throws {
        let directory = try TemporaryDirectory()
        let root = directory.path
        try directory.write("flow.config.yaml", "providers: {}\n")
        try directory.write("greet.mustache", "Hello {{nme}}\n")
        // On disk the called workflow is sound; the editor's buffer of it is not.
        try directory.write("reply.yaml", "flow: 1\nmodel: mock/m\nvars: {ticket: null}\nsteps:\n  - {id: draft, user: \"{{ticket}}\"}\n")
        let main = """
            flow: 1
            model: mock/m
            vars: {name: Ada, ticket: t1}
            steps:
              - id: hello
                user: {file: greet.mustache}
                save: greeting
                on: {stop: {goto: answer}}
              - id: answer
                call: reply.yaml
                vars: {ticket: "{{ticket}}"}
              - {id: sign, user: "{{> sig}}"}
            """
        try FileManager.default.createDirectory(atPath: root + "/templates", withIntermediateDirectories: true)
        try directory.write("templates/sig.mustache", "Regards\n")
        let brokenReply = "flow: 1\nmodel: mock/m\nvars: {ticket: null}\nsteps:\n  - {id: draft, user: \"{{ticket}}\", tempreature: 1}\n"
        let fixedMain = main.replacingOccurrences(of: "{file: greet.mustache}", with: "\"Hi {{name}}\"")
        let mainURI = uri(root + "/main.yaml"), replyURI = uri(root + "/reply.yaml"), templateURI = uri(root + "/greet.mustache")
        let result = try session([
            .object([("open", .string(mainURI)), ("text", .string(main))]),
            .object([("open", .string(replyURI)), ("text", .string(brokenReply))]),
            .object([("completion", .string(mainURI)), ("line", .int(5)), ("character", .int(4))]),
            .object([("completion", .string(mainURI)), ("line", .int(10)), ("character", .int(22))]),
            .object([("completion", .string(mainURI)), ("line", .int(7)), ("character", .int(24))]),
            .object([("completion", .string(mainURI)), ("line", .int(1)), ("character", .int(7))]),
            .object([("hover", .string(mainURI)), ("line", .int(10)), ("character", .int(22))]),
            .object([("hover", .string(mainURI)), ("line", .int(6)), ("character", .int(6))]),
            .object([("definition", .string(mainURI)), ("line", .int(5)), ("character", .int(20))]),
            .object([("definition", .string(mainURI)), ("line", .int(7)), ("character", .int(25))]),
            .object([("definition", .string(mainURI)), ("line", .int(9)), ("character", .int(14))]),
            .object([("symbols", .string(mainURI))]),
            .object([("definition", .string(mainURI)), ("line", .int(11)), ("character", .int(26))]),
            .object([("change", .string(mainURI)), ("text", .string(fixedMain))]),
            .object([("change", .string(replyURI)), ("text", .string(brokenReply.replacingOccurrences(of: ", tempreature: 1", with: "")))]),
            .object([("change", .string(mainURI)), ("text", .string(main))]),
            .object([("open", .string(templateURI)), ("text", .string("Hello {{"))]),
            .object([("completion", .string(templateURI)), ("line", .int(0)), ("character", .int(8))]),
        ], in: directory)
        let steps = result["results"]?.array ?? []
        // After both opens: the template's problem in the template, the callee's in its buffer, a pointer at the call.
        let opened = steps[1]["diagnostics"]
        #expect(lines(opened?[templateURI]).contains { $0.hasPrefix("1: variable 'nme' is not defined") }, "\(lines(opened?[templateURI]))")
        #expect(lines(opened?[replyURI]).contains { $0.hasPrefix("5: unknown key 'tempreature' in a step") }, "\(lines(opened?[replyURI]))")
        #expect(lines(opened?[mainURI]).contains { $0.hasPrefix("10: step 'answer' calls 'reply.yaml', which is invalid") }, "\(lines(opened?[mainURI]))")
        func labels(_ index: Int) -> [String] { (steps[index]["completion"]?.array ?? []).compactMap { $0["label"]?.string } }
        #expect(Set(labels(2)).isSuperset(of: ["user", "map", "call", "after", "save"]), "a step's keys: \(labels(2))")
        #expect(Set(labels(3)) == ["name", "ticket", "greeting"], "names in a tag: \(labels(3))")
        #expect(labels(4) == ["hello", "answer", "sign"], "goto targets: \(labels(4))")
        #expect(labels(5).contains("openai/gpt-4o-mini") && labels(5).contains("mock/scripted"), "models: \(labels(5).prefix(5))")
        #expect(steps[6]["hover"]?["contents"]?["value"]?.string?.contains("**ticket** — input (default: t1), line 3; used on line 11") == true, "\(steps[6])")
        #expect(steps[7]["hover"]?["contents"]?["value"]?.string?.hasPrefix("**save** — The variable that receives the answer") == true, "\(steps[7])")
        #expect(steps[8]["definition"]?["uri"]?.string == templateURI, "\(steps[8])")
        #expect(steps[9]["definition"]?["range"]?["start"]?["line"]?.int == 8, "goto answer → its step: \(steps[9])")
        #expect(steps[10]["definition"]?["uri"]?.string == replyURI, "\(steps[10])")
        #expect((steps[11]["symbols"]?.array ?? []).compactMap { $0["name"]?.string } == ["hello", "answer", "sign"])
        #expect(steps[12]["definition"]?["uri"]?.string == uri(root + "/templates/sig.mustache"), "a partial: \(steps[12])")
        // Fixed in the buffers: every file is sent an empty list.
        let fixed = steps[14]["diagnostics"]
        for file in [mainURI, replyURI, templateURI] {
            let left = lines(fixed?[file])
            #expect(left.isEmpty, "\(file): \(left)")
        }
        // In the template itself, the names of the workflow that uses it.
        let inTemplate = (steps[17]["completion"]?.array ?? []).compactMap { $0["label"]?.string }
        #expect(Set(inTemplate) == ["name", "ticket", "greeting"], "\(inTemplate)")
    }
}
