import FlowSource
import FlowYAML

/// An OpenAI `evals` registry file (`evals/registry/evals/NAME.yaml`) as one flow workflow: every
/// eval it defines with a class flow can say becomes a dataset entry of `tests:`, its samples
/// (`samples_jsonl`, read from the registry's `data/` folder) a dataset file of rows that each
/// carry their conversation and their own checks, as the classes check them:
///
/// - `basic.match:Match`: the answer starts with one of `ideal` (`matches: ^(…)`), temperature 0;
/// - `basic.includes:Includes`: it contains one (`ignore_case` as `(?i)`);
/// - `basic.fuzzy_match:FuzzyMatch`: `fuzzy_match:` (the same normalization), temperature 0,
///   at most 100 tokens;
/// - `modelgraded.classify:ModelBasedClassify`: a `judge:` whose rubric is the spec's prompt.
///
/// Match's few-shot examples (`few_shot_jsonl`, `num_few_shot`) go before each sample's last
/// message, as Match sends them. Aliases (`id:`) are followed. Any other class, meta-evals and samples that
/// are not a conversation flow can send stop the import at their line with the reason.
public enum EvalsRegistryImport {
    /// Whether the YAML text looks like a registry file: some eval names an `evals.` class.
    public static func recognizes(_ text: String) -> Bool {
        Regex.found(#"(?m)^[ \t]+class:[ \t]+["']?evals\."#, in: text)
    }

    struct Eval {
        var id: String
        var className: String
        var args: Node?
        var line: Int
        var description: String?
    }

    public static func convert(_ source: SourceFile, name: String, readFile: (String) -> String?) throws(DiagnosticList) -> ImportedWorkflow {
        let root: Node?
        do { root = try YAML.load(source) } catch { throw DiagnosticList([error]) }
        func refuse(_ line: Int, _ message: String, hint: String? = nil, in path: String? = nil) -> DiagnosticList {
            DiagnosticList([Diagnostic(path: path ?? source.path, mark: Mark(line: line, column: 1), message: message, hint: hint)])
        }
        guard let pairs = root?.mapping, !pairs.isEmpty else { throw refuse(1, "an evals registry file is a mapping of eval names to their specs") }
        var notes: [String] = []
        var noted: Set<String> = []
        func note(_ line: Int, _ text: String) { notes.append("\(source.path):\(line): \(text)") }

        // The evals with a class; an alias only lends its description.
        var descriptions: [String: String] = [:]
        var evals: [Eval] = []
        for pair in pairs {
            let key = pair.key.scalar?.text ?? ""
            if let target = pair.value["id"]?.scalar?.text, let description = pair.value["description"]?.scalar?.text { descriptions[target] = description }
            if let className = pair.value["class"]?.scalar?.text {
                evals.append(Eval(id: key, className: className, args: pair.value["args"], line: pair.key.mark.line))
            } else if pair.value["id"] == nil {
                note(pair.key.mark.line, "'\(key)' is neither an eval (class:) nor an alias (id:) and was not carried over")
            }
        }
        guard !evals.isEmpty else { throw refuse(pairs[0].key.mark.line, "the file defines no eval with a class", hint: "an eval names its class: evals.elsuite.basic.match:Match") }

        var entries: [String] = []
        var files: [(path: String, text: String)] = []
        var params: [String]?
        var total = 0
        var refusals: [Diagnostic] = []
        for eval in evals {
          do throws(DiagnosticList) {
            let kind = eval.className.split(separator: ":").last.map(String.init) ?? eval.className
            guard ["Match", "Includes", "FuzzyMatch", "ModelBasedClassify"].contains(kind), eval.className.hasPrefix("evals.elsuite.basic.") || eval.className.hasPrefix("evals.elsuite.modelgraded.") else {
                throw refuse(eval.line, "eval '\(eval.id)' uses \(eval.className), custom Python flow cannot run",
                             hint: "flow imports evals.elsuite.basic.match/includes/fuzzy_match and modelgraded.classify evals")
            }
            let args = eval.args
            for pair in args?.mapping ?? [] {
                let key = pair.key.scalar?.text ?? ""
                let known = ["samples_jsonl", "num_few_shot", "few_shot_jsonl", "ignore_case", "max_tokens", "modelgraded_spec", "modelgraded_spec_args", "eval_type", "sample_kwargs", "eval_kwargs"]
                if key == "metaeval", pair.value.scalar?.text == "true" {
                    throw refuse(pair.key.mark.line, "eval '\(eval.id)' is a meta-eval: it grades the grader on labelled completions, which flow's judge does not do")
                }
                if !known.contains(key), key != "metaeval" {
                    note(pair.key.mark.line, "eval '\(eval.id)' argument '\(key)' has no flow equivalent and was not carried over")
                }
            }
            guard let samplesNode = args?["samples_jsonl"], let samplesPath = samplesNode.scalar?.text else {
                throw refuse(eval.line, "eval '\(eval.id)' names no samples_jsonl")
            }
            let (samplesText, samplesFile) = try Self.read(samplesPath, under: ["../data/", "data/", ""], readFile: readFile, at: samplesNode.mark.line, in: source.path)
            // Few-shot examples go between a sample's earlier messages and its last, as Match
            // puts them: the first num_few_shot rows' `sample` messages.
            var fewShot: [JSON] = []
            if let countNode = args?["num_few_shot"], let count = Int(countNode.scalar?.text ?? ""), count > 0 {
                guard kind == "Match", let pathNode = args?["few_shot_jsonl"], let path = pathNode.scalar?.text else {
                    throw refuse(countNode.mark.line, "eval '\(eval.id)' asks for few-shot samples without a few_shot_jsonl (or on a class other than Match, which adds none)")
                }
                let (text, file) = try Self.read(path, under: ["../data/", "data/", ""], readFile: readFile, at: pathNode.mark.line, in: source.path)
                for (index, line) in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).prefix(count).enumerated() {
                    guard let messages = (try? JSON.parse(String(line)))?["sample"]?.array else {
                        throw refuse(index + 1, "a few-shot row is {\"sample\": [messages]}", in: file)
                    }
                    fewShot += messages
                }
            }
            let samples: [EvalSample]
            do {
                samples = try EvalSample.all(samplesText, fewShot: fewShot) { line, text in
                    if noted.insert(text).inserted { notes.append("\(samplesFile):\(line): \(text)") }
                }
            } catch {
                throw refuse(error.line, error.reason, hint: "fix the sample or leave it out of the file", in: samplesFile)
            }
            guard !samples.isEmpty else { throw refuse(samplesNode.mark.line, "'\(samplesPath)' has no samples") }

            // The sampling each class asks for (the same for every eval of a file, else noted).
            var evalParams: [String] = []
            switch kind {
            case "Match": evalParams = ["temperature: 0"]
            case "FuzzyMatch": evalParams = ["temperature: 0", "max_tokens: " + (args?["max_tokens"]?.scalar?.text ?? "100")]
            case "ModelBasedClassify": evalParams = ["max_tokens: " + (args?["sample_kwargs"]?["max_tokens"]?.scalar?.text ?? "1024")]
            default: break
            }
            if let max = args?["max_tokens"]?.scalar?.text, kind == "Match" { evalParams.append("max_tokens: " + max) }

            var judge: EvalsModelGraded?
            if kind == "ModelBasedClassify" {
                judge = try EvalsModelGraded(args: args!, evalID: eval.id, line: eval.line, source: source, readFile: readFile)
            }
            let ignoreCase = args?["ignore_case"]?.scalar?.text == "true"
            var rows: [String] = []
            for (index, sample) in samples.enumerated() {
                var expect: [JSON] = []
                var extra: [(String, JSON)] = []
                if let judge {
                    for field in judge.fields {
                        if field == "input" { extra.append(("input", .string(sample.inputText))); continue }
                        guard let value = sample.fields.first(where: { $0.0 == field })?.1 else {
                            throw refuse(sample.line, "the grader's prompt reads {\(field)}, which this sample does not have", in: samplesFile)
                        }
                        // A list is given to the grader as Python formats it; flow gives its lines.
                        extra.append((field, .string(value.string ?? value.array?.compactMap(\.string).joined(separator: "\n") ?? value.serialized)))
                    }
                } else {
                    guard let ideals = sample.ideals() else {
                        throw refuse(sample.line, "the sample's 'ideal' is not a string or a list of strings", in: samplesFile)
                    }
                    let alternatives = ideals.map(YAMLText.literalPattern).joined(separator: "|")
                    switch kind {
                    case "Match": expect = [.object([("matches", .string("^(?:" + alternatives + ")"))])]
                    case "Includes": expect = [.object([("matches", .string((ignoreCase ? "(?i)" : "") + "(?:" + alternatives + ")"))])]
                    default: expect = [.object([("fuzzy_match", ideals.count == 1 ? .string(ideals[0]) : .array(ideals.map(JSON.string)))])]
                    }
                }
                rows.append(sample.row(name: "\(eval.id) #\(index + 1)", extra: extra, expect: expect))
            }
            let file = "\(name).\(PromptfooImport.identifier(eval.id)).jsonl"
            let bytes = rows.reduce(0) { $0 + $1.utf8.count + 1 }
            guard bytes <= WorkflowLoader.maxFileBytes else {
                throw refuse(samplesNode.mark.line, "the \(samples.count) samples make a dataset of \(bytes >> 20) MiB; flow reads dataset files up to \(WorkflowLoader.maxFileBytes >> 20) MiB",
                             hint: "split the samples into several files and evals, then import again")
            }
            files.append((file, rows.joined(separator: "\n")))
            entries.append("  - dataset: \(file)")
            if let judge {
                entries.append("    expect: [" + judge.expectation + "]")
                note(eval.line, "eval '\(eval.id)' is graded by openai/gpt-4o-mini through flow's judge, with the spec's prompt as its rubric: flow's judge answers a score where evals' grader printed a choice, and a case passes at the top score (evals averages the scores)")
            }
            total += samples.count
            if params == nil { params = evalParams } else if params != evalParams {
                note(eval.line, "eval '\(eval.id)' samples with {\(evalParams.joined(separator: ", "))}, the workflow with {\(params!.joined(separator: ", "))} (the first eval's)")
            }
          } catch {
            // One eval flow cannot say leaves the others; the file is refused when none is left.
            refusals += error.diagnostics
            for diagnostic in error.diagnostics {
                note(eval.line, "eval '\(eval.id)' was not carried over: \(diagnostic.path):\(diagnostic.mark?.line ?? 1): \(diagnostic.message)")
            }
          }
        }

        guard !entries.isEmpty else { throw DiagnosticList(refusals) }

        var lines = ["# Imported from \(source.path) by flow import; review it, then delete this line.", "flow: 1"]
        lines.append("name: " + YAMLText.quoted(name))
        if let description = evals.lazy.compactMap({ descriptions[$0.id] }).first { lines.append("description: " + YAMLText.quoted(description)) }
        // oaieval names the model on its command line; the registry file names none.
        lines.append("model: \"openai/gpt-4o-mini\"")
        note(1, "the registry names no model (oaieval takes it on its command line): openai/gpt-4o-mini stands in; change model: or run with --model")
        lines += EvalSample.conversationLines(params: params ?? [])
        lines.append("tests:")
        lines += entries
        note(1, "the \(total) samples have no recorded answers: record them once with flow test \(name).flow.yaml --live --record; flow test then replays them offline")
        var imported = ImportedWorkflow(workflow: lines.joined(separator: "\n") + "\n", files: files, notes: notes)
        imported.needsRecording = true
        imported.workflowBesideSameName = true
        return imported
    }

    /// A file the registry names, looked for where the registry keeps it; a Git LFS pointer
    /// (the registry's data is in LFS) is refused with what to run.
    static func read(_ path: String, under folders: [String], readFile: (String) -> String?, at line: Int, in file: String) throws(DiagnosticList) -> (String, String) {
        let candidates = path.hasPrefix("/") ? [path] : folders.map { $0 + path }
        for candidate in candidates {
            guard let text = readFile(candidate) else { continue }
            if text.hasPrefix("version https://git-lfs.github.com/spec/") {
                throw DiagnosticList([Diagnostic(path: file, mark: Mark(line: line, column: 1), message: "'\(candidate)' is a Git LFS pointer, not the samples",
                                                 hint: "run git lfs pull in the evals checkout, then import again")])
            }
            return (text, candidate)
        }
        throw DiagnosticList([Diagnostic(path: file, mark: Mark(line: line, column: 1), message: "cannot read '\(path)' (looked in " + candidates.joined(separator: ", ") + ")",
                                         hint: "the registry keeps samples in evals/registry/data/; import from a checkout that has them")])
    }
}
