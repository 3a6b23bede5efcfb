import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// What `make install` puts beside the binary, and the commands a new user starts with:
/// completions and the man page written from the command table, `flow init`, `flow import`.
@Suite struct DailyUseTests {
    /// Every command and every option `--help` lists, read back from `flow help <command>`.
    func commandTable() throws -> [(name: String, options: [String])] {
        let overview = try FlowBinary.run(["--help"]).stdout
        let names = overview.components(separatedBy: "SUBCOMMANDS:\n")[1].split(separator: "\n")
            .compactMap { line in line.hasPrefix("  ") && !line.hasPrefix("  See") ? line.split(separator: " ").first.map(String.init) : nil }
        return try names.map { name in
            let help = try FlowBinary.run(["help", name]).stdout
            let options = help.components(separatedBy: "OPTIONS:\n").last?.split(separator: "\n")
                .compactMap { $0.split(separator: " ").first(where: { $0.hasPrefix("--") }).map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: ",")) } } ?? []
            return (name, options)
        }
    }

    @Test func completionsAndTheManualListEveryCommandAndOption() throws {
        let table = try commandTable()
        #expect(table.count >= 14 && table.contains { $0.name == "import" } && table.contains { $0.name == "init" })
        let scripts = try ["bash", "zsh", "fish"].map { shell in (shell, try FlowBinary.run(["completions", shell])) }
        let manual = try FlowBinary.run(["manpage"])
        #expect(manual.status == 0 && manual.stdout.hasPrefix(".TH FLOW 1 "))
        for (name, options) in table {
            for (shell, script) in scripts {
                #expect(script.status == 0)
                #expect(script.stdout.contains(shell == "fish" ? "-a \(name) " : name), "\(shell) completes \(name)")
                for option in options {
                    let spelled = shell == "fish" ? "-l \(option.dropFirst(2))" : option
                    #expect(script.stdout.contains(spelled), "\(shell) completes \(name) \(option)")
                }
            }
            #expect(manual.stdout.contains(".SS \"flow \(name)"), "the manual has \(name)")
            for option in options {
                #expect(manual.stdout.contains("\\fB" + option.replacingOccurrences(of: "-", with: "\\-") + "\\fR"), "the manual has \(name) \(option)")
            }
        }
        // The scripts parse in their shells where those are installed.
        for (shell, script) in scripts {
            guard let path = ["/bin/", "/usr/bin/"].map({ $0 + shell }).first(where: FileManager.default.isExecutableFile) else {
                print("skipped: \(shell) is not installed here, so its completion script is not syntax-checked (CI checks bash)")
                continue
            }
            let directory = try TemporaryDirectory()
            try directory.write("flow.\(shell)", script.stdout)
            let arguments = [shell, shell == "fish" ? "--no-execute" : "-n", directory.path + "/flow.\(shell)"]
            let check = try FlowBinary.run(arguments, executable: path)
            #expect(check.status == 0, "\(shell): \(check.stderr)")
        }
        let unknown = try FlowBinary.run(["completions", "tcsh"])
        #expect(unknown.status == 64 && unknown.stderr.contains("Unknown shell 'tcsh'"))
    }

    @Test func initWritesAProjectThatPassesAndNeverOverwrites() throws {
        let directory = try TemporaryDirectory()
        let made = try FlowBinary.run(["init", "demo"], in: directory.path)
        #expect(made.status == 0, "\(made.stderr)")
        let project = directory.path + "/demo"
        for file in ["flow.config.yaml", "workflows/summarize.yaml", "templates/summarize.user.mustache", ".github/workflows/flow.yml"] {
            #expect(FileManager.default.fileExists(atPath: project + "/" + file), "\(file)")
        }
        #expect(try FlowBinary.run(["validate", "workflows"], in: project).status == 0)
        let tested = try FlowBinary.run(["test", "--json"], in: project)
        #expect(tested.status == 0, "\(tested.stderr)")
        #expect(try JSON.parse(tested.stdout)["passed"] == .int(2), "\(tested.stdout.prefix(300))")
        // The config's commented entries are valid once uncommented.
        let config = try String(contentsOfFile: project + "/flow.config.yaml", encoding: .utf8)
        var inExample = false
        var uncommented: [String] = []
        for line in config.split(separator: "\n").map(String.init) {
            if ["# providers:", "# key_files:", "# rate_limits:"].contains(where: line.hasPrefix) { inExample = true }
            else if !line.hasPrefix("#   ") { inExample = false }
            if inExample { uncommented.append(String(line.dropFirst(2)).components(separatedBy: "   #").first!) }
        }
        #expect(uncommented.count >= 12, "\(uncommented)")
        try directory.write("demo/flow.config.yaml", uncommented.joined(separator: "\n") + "\n")
        let withConfig = try FlowBinary.run(["validate", "workflows"], in: project)
        #expect(withConfig.status == 0, "\(withConfig.stderr)\n\(uncommented.joined(separator: "\n"))")
        // A second init writes nothing and says which files are in the way.
        try directory.write("demo/templates/summarize.user.mustache", "mine\n")
        let again = try FlowBinary.run(["init", "demo"], in: directory.path)
        #expect(again.status == 73 && again.stderr.contains("would overwrite") && again.stderr.contains("summarize.user.mustache"))
        #expect(try String(contentsOfFile: project + "/templates/summarize.user.mustache", encoding: .utf8) == "mine\n")
    }

    @Test func importedPromptFilesValidateAndPassTheirTests() throws {
        let fixtures = FlowBinary.repository + "/Tests/FlowCLITests/ImportFixtures"
        let expectedNotes = [
            "summarizer.prompt.yml": ["summarizer.prompt.yml:32: evaluator 'Similarity' uses the built-in 'github/similarity'"],
            "triage.prompt.yaml": ["triage.prompt.yaml:3: model 'meta/llama-3.3-70b-instruct' is served by GitHub Models",
                                   "triage.prompt.yaml:7: model parameter 'frequencyPenalty'", "triage.prompt.yaml:13: the closing assistant turn",
                                   "triage.prompt.yaml:19: testData column 'reporter'"],
            "support.prompty": [],
            "tutor.prompty": ["tutor.prompty:8: Azure OpenAI deployment 'gpt-4o'", "tutor.prompty:9: 'azure_endpoint'",
                              "tutor.prompty:40: the closing assistant turn is the step's prefill"],
        ]
        for (file, notes) in expectedNotes {
            let directory = try TemporaryDirectory()
            try directory.write(file, try String(contentsOfFile: fixtures + "/" + file, encoding: .utf8))
            let imported = try FlowBinary.run(["import", file], in: directory.path)
            #expect(imported.status == 0, "\(file): \(imported.stderr)")
            let listed = imported.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") }
            #expect(listed.count == notes.count, "\(file): \(imported.stdout)")
            for note in notes { #expect(imported.stdout.contains("  " + note), "\(file): \(note)\n\(imported.stdout)") }
            let name = file.components(separatedBy: ".prompt").first!.replacingOccurrences(of: ".prompty", with: "")
            #expect(try FlowBinary.run(["validate", name + ".yaml"], in: directory.path).status == 0)
            if file == "tutor.prompty" {
                // A Prompty parameter flow has (OpenAI's presence_penalty) is carried over.
                #expect(try String(contentsOfFile: directory.path + "/tutor.yaml", encoding: .utf8).contains("presence_penalty: 0.1"))
            }
            let tested = try FlowBinary.run(["test", name + ".yaml", "--json"], in: directory.path)
            #expect(tested.status == 0, "\(file): \(tested.stdout.prefix(600)) \(tested.stderr)")
            // Importing again would overwrite: refused.
            #expect(try FlowBinary.run(["import", file], in: directory.path).status == 73)
        }
    }

    @Test func jinjaBecomesMustacheWhereMustacheCanSayIt() throws {
        let out = try JinjaToMustache.translate("""
            Hi {{ name }}. {% if vip %}Welcome back.{% elif trial %}Welcome to the trial.{% else %}Welcome.{% endif %}
            {% for order in orders %}* {{ order.id }} ({{ currency }}){% endfor %}{% if not late %}On time.{% endif %}
            {# note #}{{ tone | default("Be kind.") }}{% if region is defined and vip %}{{ region }}{% endif %}
            """, firstLine: 10)
        #expect(out.text == """
            Hi {{name}}. {{#vip}}Welcome back.{{/vip}}{{^vip}}{{#trial}}Welcome to the trial.{{/trial}}{{^trial}}Welcome.{{/trial}}{{/vip}}
            {{#orders}}* {{id}} ({{currency}}){{/orders}}{{^late}}On time.{{/late}}
            {{tone}}{{#region}}{{#vip}}{{region}}{{/vip}}{{/region}}
            """)
        // Loop items and their fields are not variables; defaults and optional names are known.
        #expect(out.variables == ["name", "vip", "trial", "orders", "currency", "late", "tone", "region"])
        #expect(out.defaults == ["tone": "Be kind."] && out.optional == ["region"])
    }
}
