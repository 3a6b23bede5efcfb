import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// `flow import` of .prompty files judged by the tool that wrote them: the messages `flow render`
/// shows for the imported workflow are the messages the real Prompty runtime (Python's `prompty`
/// package, and Jinja2 for Prompty 1 files) sends for the same inputs. Compared line by line with
/// blank lines and trailing spaces aside, since Mustache drops a line that holds only a section
/// tag where Jinja2 keeps it empty.
@Suite struct ImportFidelityTests {
    static let fixtures = FlowBinary.repository + "/Tests/FlowCLITests/ImportFixtures/fidelity"
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python/prompty_render.py").path
    static let hasPrompty = PythonModules.available("prompty", "jinja2", "yaml")

    /// Each message as its role and its non-blank lines, right-trimmed.
    static func normalized(_ messages: [JSON]) -> [String] {
        messages.map { message in
            let lines = (message["content"]?.string ?? "").split(separator: "\n", omittingEmptySubsequences: false)
                .map { String($0.reversed().drop { $0.isWhitespace }.reversed()) }.filter { !$0.isEmpty }
            return (message["role"]?.string ?? "") + ":\n" + lines.joined(separator: "\n")
        }
    }

    @Test(.enabled(if: hasPrompty, Comment(rawValue: PythonModules.missing("prompty"))),
          arguments: ["branches", "chat", "evaluator", "agent2"])
    func importedPromptSendsWhatPromptyWould(_ name: String) throws {
        let directory = try TemporaryDirectory()
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.fixtures) where file.hasPrefix(name + ".") {
            try directory.write(file, try String(contentsOfFile: Self.fixtures + "/" + file, encoding: .utf8))
        }
        let imported = try FlowBinary.run(["import", name + ".prompty"], in: directory.path)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try FlowBinary.run(["validate", name + ".yaml"], in: directory.path).status == 0)
        // The command the import suggests next works as it is.
        let next = try #require(imported.stdout.split(separator: "\n").last { $0.hasPrefix("next: ") })
        let suggested = next.dropFirst("next: ".count).components(separatedBy: " && ").map { $0.split(separator: " ").dropFirst().map { String($0).replacingOccurrences(of: "=…", with: "=x") } }
        for command in suggested {
            let ran = try FlowBinary.run(command, in: directory.path)
            #expect(ran.status == 0, "\(command): \(ran.stdout) \(ran.stderr)")
        }

        let inputs = try JSON.parse(try String(contentsOfFile: Self.fixtures + "/" + name + ".inputs.json", encoding: .utf8))
        let original = try PythonModules.run(Self.script, [directory.path + "/" + name + ".prompty", Self.fixtures + "/" + name + ".inputs.json"])
        try #require(original.status == 0, "\(original.stderr)")
        var arguments = ["render", name + ".yaml", "--json"]
        guard case .object(let pairs) = inputs else { Issue.record("inputs are not an object"); return }
        for (key, value) in pairs { arguments += ["--var", key + "=" + (value.string ?? value.serialized)] }
        let rendered = try FlowBinary.run(arguments, in: directory.path)
        try #require(rendered.status == 0, "\(rendered.stderr)")
        guard case .array(let steps) = try JSON.parse(rendered.stdout) else { Issue.record("\(rendered.stdout)"); return }
        let step = steps.first
        var messages: [JSON] = if case .array(let items)? = step?["messages"] { items } else { [] }
        if let prefill = step?["prefill"]?.string { messages.append(.object([("role", .string("assistant")), ("content", .string(prefill))])) }
        guard case .array(let sent) = try JSON.parse(original.stdout) else { Issue.record("\(original.stdout)"); return }
        var expected = Self.normalized(sent)
        if name == "evaluator" {
            // A system-only prompt is one call whose text flow sends as the user turn (the note says so).
            expected = expected.map { $0.replacingOccurrences(of: "system:\n", with: "user:\n") }
        }
        #expect(Self.normalized(messages) == expected)
    }

    /// What Mustache cannot say stops the import at its line, says why, and writes nothing.
    @Test(arguments: [
        ("{% if tier == \"gold\" %}Gold.{% endif %}", 2, "Mustache tests only whether a value is empty"),
        ("{% if images %}Look:\n{% for i in images %}{{ i }}{% endfor %}{% endif %}", 2, "repeats its body once per item"),
        ("{% for i in items %}{{ loop.index }}. {{ i }}{% endfor %}", 2, "loop state"),
        ("Hello {{ name | upper }}", 2, "the filter 'upper'"),
        ("{% if a or b %}x{% endif %}", 2, "uses 'or'"),
        ("{% set x = 1 %}{{ x }}", 2, "a 'set' statement"),
        ("intro\n{% if a %}\nuser:\nhi\n{% endif %}", 3, "not closed inside this message"),
        ("{% for m in history %}\n{{ m.role }}:\n{{ m.text }}\n{% endfor %}", 2, "role lines from its items in a shape"),
    ])
    func whatMustacheCannotSayIsRefusedAtItsLine(_ body: String, _ line: Int, _ reason: String) throws {
        let directory = try TemporaryDirectory()
        try directory.write("p.prompty", "---\nname: p\n---\nsystem:\n" + body + "\nuser:\n{{ question }}\n")
        let result = try FlowBinary.run(["import", "p.prompty"], in: directory.path)
        #expect(result.status == 65, "\(result.stdout)")
        #expect(result.stderr.contains("p.prompty:\(line + 3):"), "\(result.stderr)")
        #expect(result.stderr.contains(reason), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/p.yaml"))
    }

    /// Model names Prompty resolves at run time are never written as a model flow would accept.
    @Test func environmentModelNamesAreListedNotWritten() throws {
        let directory = try TemporaryDirectory()
        try directory.write("p.prompty", """
            ---
            name: p
            model:
              configuration:
                type: azure_openai
                azure_deployment: ${env:AZURE_OPENAI_DEPLOYMENT}
            ---
            user:
            Hi
            """)
        let result = try FlowBinary.run(["import", "p.prompty"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("p.prompty:6: the model name comes from the environment variable AZURE_OPENAI_DEPLOYMENT"), "\(result.stdout)")
        let workflow = try String(contentsOfFile: directory.path + "/p.yaml", encoding: .utf8)
        #expect(workflow.contains("model: \"openai/gpt-4o-mini\"") && !workflow.contains("${env"))
    }

    @Test func promptyMarkdownImagesBecomeImageParts() throws {
        let directory = try TemporaryDirectory()
        try directory.write("p.prompty", "---\nname: p\n---\nuser:\nWhat is in this picture?\n![photo](https://example.com/cat.png)\nBe brief.\n")
        #expect(try FlowBinary.run(["import", "p.prompty"], in: directory.path).status == 0)
        let workflow = try String(contentsOfFile: directory.path + "/p.yaml", encoding: .utf8)
        #expect(workflow.contains("""
                user:
                  - "What is in this picture?"
                  - {image: {url: "https://example.com/cat.png"}}
                  - "Be brief."
            """), "\(workflow)")
        #expect(try FlowBinary.run(["validate", "p.yaml"], in: directory.path).status == 0)
    }
}
