import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore
import FlowSource
import FlowYAML

/// `flow import` on files written outside this project: promptfoo configs from public
/// repositories (kept in ImportFixtures/corpus, sources in its SOURCES.md) and the OpenAI evals
/// registry as PyPI's `evals` wheel ships it (downloaded by make deps). Every file must import,
/// validate and reach the provider with each case's prompt rendered, or be refused at a
/// `file:line:column` with the reason and nothing written. The figures are printed.
@Suite struct ImportCorpusTests {
    static let corpus = FlowBinary.repository + "/Tests/FlowCLITests/ImportFixtures/corpus"
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python/evals_registry.py").path
    static let wheel: String? = {
        let folder = FlowBinary.repository + "/.build-deps"
        let name = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.first { $0.hasPrefix("evals-") && $0.hasSuffix(".whl") }
        return name.map { folder + "/" + $0 }
    }()
    static let hasRegistry = wheel != nil && PythonModules.available("yaml")
    static let noRegistry = "needs the evals wheel in .build-deps (make deps downloads it from PyPI with pip) and PyYAML; neither download nor import worked here"

    /// What happened to one file.
    enum Outcome: Equatable {
        case imported
        case refused(String)
    }

    /// Imports `file` in `directory` and checks what the contract says of either outcome.
    static func importChecked(_ file: String, in directory: String, runOffline: Bool = true) throws -> (Outcome, notes: [String]) {
        let stem = String(file.prefix { $0 != "." })
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(stem + ".") })
        let imported = try FlowBinary.run(["import", file], in: directory)
        if imported.status != 0 {
            let first = imported.stderr.split(separator: "\n").first.map(String.init) ?? ""
            #expect(imported.status == 65 || imported.status == 66, "\(file): exit \(imported.status): \(imported.stderr)")
            #expect(first.range(of: #"^[^:]+:\d+:\d+: error: \S"#, options: .regularExpression) != nil, "\(file): the refusal is not placed: \(first)")
            #expect(Set(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(stem + ".") }) == before, "\(file): a refused import wrote files")
            return (.refused(first.components(separatedBy: "error: ").dropFirst().joined(separator: "error: ")), [])
        }
        let notes = imported.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") }.map { String($0.dropFirst(2)) }
        let next = try #require(imported.stdout.split(separator: "\n").last { $0.hasPrefix("next: flow validate ") })
        let workflow = String(next.dropFirst("next: flow validate ".count).prefix { $0 != " " })
        let validated = try FlowBinary.run(["validate", workflow], in: directory)
        #expect(validated.status == 0, "\(file): \(validated.stdout) \(validated.stderr)")
        if next.contains("--live --record") {
            guard runOffline else { return (.imported, notes) }
            // Offline, every case renders its prompt and stops only for want of a recording.
            let offline = try FlowBinary.run(["test", workflow], in: directory)
            let problems = offline.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.contains(": ") && !$0.contains("no recording to replay") }
            #expect(offline.stdout.contains("no recording to replay") && problems.isEmpty, "\(file): \(problems.prefix(3))")
        } else {
            let rendered = try FlowBinary.run(String(next.split(separator: "&&")[1]).split(separator: " ").dropFirst().map { String($0).replacingOccurrences(of: "=…", with: "=x") }, in: directory)
            #expect(rendered.status == 0, "\(file): \(rendered.stderr)")
        }
        return (.imported, notes)
    }

    /// Normalized messages with consecutive system messages joined by a blank line, as the import
    /// joins them (blank lines are not compared).
    static func joiningSystem(_ messages: [String]) -> [String] {
        var out: [String] = []
        for message in messages {
            if message.hasPrefix("system:\n"), let last = out.last, last.hasPrefix("system:\n") {
                out[out.count - 1] = last + "\n" + message.dropFirst("system:\n".count)
            } else {
                out.append(message)
            }
        }
        return out
    }

    /// The most frequent kinds of note or refusal, names and numbers blanked.
    static func tally(_ lines: [String], top: Int = 6) -> String {
        var counts: [String: Int] = [:]
        for line in lines {
            var kind = line.replacingOccurrences(of: #"^[^ ]+:\d+: "#, with: "", options: .regularExpression)
            kind = kind.replacingOccurrences(of: #"'[^']*'"#, with: "…", options: .regularExpression)
            kind = kind.replacingOccurrences(of: #"\d+"#, with: "N", options: .regularExpression)
            counts[kind, default: 0] += 1
        }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(top).map { "  \($0.value)× \($0.key)" }.joined(separator: "\n")
    }

    @Test func promptfooConfigsFromPublicRepositories() throws {
        let folder = Self.corpus + "/promptfoo"
        let projects = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasSuffix(".md") }.sorted()
        #expect(projects.count >= 8)
        var imported = 0
        var notes: [String] = []
        var refusals: [String] = []
        for project in projects {
            let directory = try TemporaryDirectory()
            try directory.copyTree(from: folder + "/" + project, under: project + "/")
            let (outcome, found) = try Self.importChecked("promptfooconfig.yaml", in: directory.path + "/" + project)
            if outcome == .imported { imported += 1 } else if case .refused(let reason) = outcome { refusals.append(project + ": " + reason) }
            notes += found
        }
        print("promptfoo corpus: \(imported) of \(projects.count) imported; refused:\n" + refusals.map { "  " + $0 }.joined(separator: "\n")
              + "\nmost listed as not carried over:\n" + Self.tally(notes))
        #expect(imported >= 4, "\(refusals)")
    }

    /// Prompty's own example files (microsoft/prompty): each imports and renders, for the inputs
    /// beside it (written here), the messages the real runtime sends, or is refused at its line.
    @Test(.enabled(if: ImportFidelityTests.hasPrompty, Comment(rawValue: PythonModules.missing("prompty"))))
    func promptyFilesFromTheirRepository() throws {
        let folder = Self.corpus + "/prompty"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".prompty") }.sorted()
        #expect(files.count >= 4)
        var imported = 0, faithful = 0, adjustedOnly = 0
        var refusals: [String] = []
        for file in files {
            let name = String(file.dropLast(".prompty".count))
            let directory = try TemporaryDirectory()
            // The files a prompty names (${file:…}) are beside it.
            try directory.copyTree(from: folder)
            let (outcome, notes) = try Self.importChecked(file, in: directory.path)
            guard outcome == .imported else {
                if case .refused(let reason) = outcome { refusals.append(file + ": " + reason) }
                continue
            }
            imported += 1
            let inputsPath = folder + "/" + name + ".inputs.json"
            let original = try PythonModules.run(ImportFidelityTests.script, [folder + "/" + file, inputsPath])
            try #require(original.status == 0, "\(file): \(original.stderr)")
            guard case .object(let pairs) = try JSON.parse(try String(contentsOfFile: inputsPath, encoding: .utf8)) else { continue }
            var arguments = ["render", name + ".yaml", "--json"]
            for (key, value) in pairs { arguments += ["--var", key + "=" + (value.string ?? value.serialized)] }
            let rendered = try FlowBinary.run(arguments, in: directory.path)
            try #require(rendered.status == 0, "\(file): \(rendered.stderr)")
            let sent = ImportFidelityTests.normalized(try JSON.parse(rendered.stdout)[0]?["messages"]?.array ?? [])
            let expected = ImportFidelityTests.normalized(try JSON.parse(original.stdout).array ?? [])
            // Consecutive system messages flow joins into its one system prompt, and a body of
            // one system message it sends as the step's user turn; the import says so for each.
            var adjusted = Self.joiningSystem(expected)
            if adjusted.count == 1, notes.contains(where: { $0.contains("it is sent as the step's user turn") }) {
                adjusted = adjusted.map { "user:\n" + $0.dropFirst("system:\n".count) }
            }
            #expect(sent == adjusted, "\(file): flow sends \(sent), Prompty \(expected)")
            if sent == expected { faithful += 1 } else if sent == adjusted { adjustedOnly += 1 }
        }
        print("prompty corpus: \(imported) of \(files.count) imported, \(faithful) send what Prompty sends, \(adjustedOnly) the same once Prompty's consecutive system messages are joined or a lone system message is the user turn (each noted by the import); refused:\n" + refusals.map { "  " + $0 }.joined(separator: "\n"))
    }

    /// GitHub Models prompt files from public repositories: each row of `testData` renders the
    /// messages GitHub Models sends, whose substitution replaces each `{{name}}` with the row's value.
    @Test func promptYAMLFilesFromPublicRepositories() throws {
        let folder = Self.corpus + "/prompt-yml"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".prompt.yml") }.sorted()
        #expect(files.count >= 3)
        var imported = 0, rows = 0
        for file in files {
            let directory = try TemporaryDirectory()
            try directory.write(file, try String(contentsOfFile: folder + "/" + file, encoding: .utf8))
            let (outcome, _) = try Self.importChecked(file, in: directory.path)
            guard outcome == .imported else { continue }
            imported += 1
            let original = try #require(try FlowYAML.YAML.load(SourceFile(path: file, text: try String(contentsOfFile: folder + "/" + file, encoding: .utf8))))
            let data = original["testData"]?.sequence ?? [Node(.mapping([]), mark: original.mark)]
            for row in data {
                let values = (row.mapping ?? []).map { ($0.key.scalar?.text ?? "", $0.value.scalar?.text ?? "") }
                func substituted(_ text: String) -> String {
                    values.reduce(text) { $0.replacingOccurrences(of: "{{" + $1.0 + "}}", with: $1.1) }
                }
                let expected = (original["messages"]?.sequence ?? []).map { ($0["role"]?.scalar?.text ?? "") + ":\n" + substituted($0["content"]?.scalar?.text ?? "") }
                let name = String(file.dropLast(".prompt.yml".count))
                var arguments = ["render", name + ".yaml", "--json"]
                let declared = try String(contentsOfFile: directory.path + "/" + name + ".yaml", encoding: .utf8)
                for (key, value) in values where declared.contains("  " + key + ":") { arguments += ["--var", key + "=" + value] }
                for variable in ["input"] where declared.contains("  \(variable): null") && !values.contains(where: { $0.0 == variable }) { arguments += ["--var", variable + "=x"] }
                let rendered = try FlowBinary.run(arguments, in: directory.path)
                try #require(rendered.status == 0, "\(file): \(rendered.stderr)")
                let sent = (try JSON.parse(rendered.stdout)[0]?["messages"]?.array ?? []).map { ($0["role"]?.string ?? "") + ":\n" + ($0["content"]?.string ?? "") }
                let want = expected.map { $0.replacingOccurrences(of: "{{input}}", with: "x") }
                // Trailing newlines of YAML block scalars aside.
                #expect(sent.map { $0.trimmingCharacters(in: .newlines) } == want.map { $0.trimmingCharacters(in: .newlines) }, "\(file)")
                rows += 1
            }
        }
        print("prompt.yml corpus: \(imported) of \(files.count) imported, \(rows) rows render what GitHub Models sends")
        #expect(imported == files.count)
    }

    @Test(.enabled(if: hasRegistry, Comment(rawValue: noRegistry)))
    func theEvalsRegistryAsPyPIShipsIt() throws {
        let directory = try TemporaryDirectory()
        // The eval files whose samples total at most 256 KB (the whole registry is 722 MB
        // unpacked; docs/cli.md gives the figure for all of it, measured by hand).
        let extracted = try PythonModules.run(Self.script, ["extract", Self.wheel!, directory.path, String(256 << 10)])
        try #require(extracted.status == 0, "\(extracted.stderr)")
        let summary = try JSON.parse(extracted.stdout)
        let evals = directory.path + "/evals/registry/evals"
        let files = try FileManager.default.contentsOfDirectory(atPath: evals).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        #expect(files.count == summary["chosen"]?.int)
        // Two at a time (the machine's cores); each file in its own processes.
        let results = Locked([(Bool, [String], [String], Int)](repeating: (false, [], [], 0), count: files.count))
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            do {
                let result = try Self.registryFile(files[index], in: evals)
                results.withLock { $0[index] = result }
            } catch {
                Issue.record("\(files[index]): \(error)")
            }
        }
        let all = results.withLock { $0 }
        let imported = all.filter(\.0).count
        let notes = all.flatMap(\.1), refusals = all.flatMap(\.2)
        let rowsCompared = all.map(\.3).reduce(0, +)
        print("evals registry (PyPI evals, files with samples ≤ 256 KB): \(imported) of \(files.count) imported, \(rowsCompared) datasets' first rows rendered; refused:\n"
              + Self.tally(refusals, top: 30) + "\nmost listed as not carried over:\n" + Self.tally(notes))
        #expect(refusals.allSatisfy { !$0.isEmpty }, "\(refusals)")
        #expect(files.count >= 100)
        #expect(imported * 2 >= files.count, "\(imported) of \(files.count)")
    }

    /// One registry file: whether it imported, its notes, its refusal, the rows compared.
    static func registryFile(_ file: String, in evals: String) throws -> (Bool, [String], [String], Int) {
        let (outcome, notes) = try importChecked(file, in: evals, runOffline: false)
        guard outcome == .imported else {
            if case .refused(let reason) = outcome { return (false, [], [reason], 0) }
            return (false, [], [], 0)
        }
        // The first row of each dataset sends its sample's conversation as evals does.
        let workflow = String(file.prefix { $0 != "." }) + ".flow.yaml"
        let text = try String(contentsOfFile: evals + "/" + workflow, encoding: .utf8)
        var compared = 0
        for line in text.split(separator: "\n") where line.hasPrefix("  - dataset: ") {
            let dataset = String(line.dropFirst("  - dataset: ".count))
            let first = try #require(try String(contentsOfFile: evals + "/" + dataset, encoding: .utf8).split(separator: "\n").first)
            let row = try JSON.parse(String(first))
            let messages = try EvalsImportTests.rendered(workflow, row: row, in: evals)
            // Joined system text aside, the contents are the sample's, in order.
            let contents = messages.compactMap { $0["content"]?.string }
            #expect(contents.last == row["prompt"]?.string && messages.last?["role"]?.string == "user", "\(dataset)")
            #expect(contents.count == (row["system"] == nil ? 0 : 1) + (row["history"]?.array?.count ?? 0) + 1, "\(dataset): \(messages)")
            compared += 1
        }
        return (true, notes, [], compared)
    }

    @Test(.enabled(if: hasRegistry, Comment(rawValue: noRegistry)))
    func fuzzyMatchAgreesWithEvals() throws {
        // Varied pairs: words, articles, ASCII and other punctuation, case, accents, digits,
        // whitespace runs, and pairs built to contain one another.
        var generator = SeededGenerator(seed: 20261207)
        let pieces = ["the", "The", "a", "an", "An", "Paris", "paris", "U.S.A.", "usa", "Den Haag", "hague", "theatre", "another", "a.m.", "Washington, D.C.",
                      "naïve", "NAÏVE", "Straße", "«quoted»", "don't", "it’s", "3.14", "42", "x_y", "  ", "\t", "\n", "—", "!", "(", ")", "-", "_", "東京", "é"]
        var pairs: [[String]] = []
        for _ in 0..<3000 {
            func phrase() -> String {
                (0..<Int.random(in: 0...5, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
                    .joined(separator: ["", " ", "  ", ", "].randomElement(using: &generator)!)
            }
            let a = phrase()
            let b = Bool.random(using: &generator) ? phrase() : a + (Bool.random(using: &generator) ? " " + phrase() : "")
            pairs.append(Bool.random(using: &generator) ? [a, b] : [b, a])
        }
        let directory = try TemporaryDirectory()
        try directory.write("pairs.json", JSON.array(pairs.map { .array($0.map(JSON.string)) }).serialized)
        let reference = try PythonModules.run(Self.script, ["fuzzy", Self.wheel!, directory.path + "/pairs.json"])
        try #require(reference.status == 0, "\(reference.stderr)")
        let answers = try #require(try JSON.parse(reference.stdout).array)
        try #require(answers.count == pairs.count)
        var disagreements: [String] = []
        var matched = 0
        for (pair, answer) in zip(pairs, answers) {
            let normalized = FuzzyMatch.normalized(pair[0]), holds = FuzzyMatch.holds(pair[0], pair[1])
            if holds { matched += 1 }
            if normalized != answer[0]?.string || holds != (answer[1] == .bool(true)) {
                disagreements.append("\(pair): flow \(normalized.debugDescription) \(holds), evals \(answer[0]?.serialized ?? "") \(answer[1]?.serialized ?? "")")
            }
        }
        print("fuzzy_match: \(pairs.count - disagreements.count) of \(pairs.count) pairs agree with evals' normalize/fuzzy_match (\(matched) match)")
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
        #expect(matched > 300 && matched < 2700, "the pairs exercise both outcomes")
    }
}

/// A small deterministic generator (SplitMix64), so the pairs are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
