import Foundation
import FlowSource
import FlowTemplate

/// Settles the prompt of every judged expectation at load time: the template the judge names,
/// else the project's `templates/judge.rubric.mustache` (or `judge.compare.mustache`) when it has
/// one, else the built-in text (the same as this repository's `templates/`). Each is parsed, and
/// a name it reads that a judge prompt does not have is an error here, not at the first judged run.
enum JudgePrompts {
    static func resolve(_ workflow: inout Workflow, templates: inout [TemplateSource: LoadedTemplate], source: SourceFile,
                        directory: String, root: ProjectRoot) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let templatesDirectory = PartialLoader.directory(for: workflow, workflowDirectory: directory)
        for caseIndex in workflow.tests.indices {
            for index in workflow.tests[caseIndex].expectations.indices {
                guard case .judge(var spec) = workflow.tests[caseIndex].expectations[index].kind else { continue }
                let mark = workflow.tests[caseIndex].expectations[index].mark
                let prompt = spec.template ?? projectPrompt(spec, in: templatesDirectory, at: mark) ?? .inline(spec.builtInPrompt, mark)
                if templates[prompt] == nil {
                    do {
                        let (loaded, _) = try WorkflowLoader.loadTemplate(prompt, workflowSource: source, directory: directory, root: root)
                        templates[prompt] = loaded
                        problems += unknownNames(in: loaded)
                    } catch {
                        problems += error.diagnostics
                        continue
                    }
                }
                spec.prompt = prompt
                workflow.tests[caseIndex].expectations[index].kind = .judge(spec)
            }
        }
        return problems
    }

    /// The project's own judge prompt, as an absolute path so it resolves from any workflow directory.
    static func projectPrompt(_ spec: JudgeSpec, in directory: String?, at mark: Mark) -> TemplateSource? {
        guard let directory else { return nil }
        let path = directory + "/" + spec.templateFileName
        guard FileBytes.kind(path) != nil else { return nil }
        let absolute = path.hasPrefix("/") ? path : FileBytes.currentDirectory() + "/" + path
        return .file(WorkflowLoader.normalize(absolute), mark)
    }

    /// A judge prompt reads the answer, the rubric or expected text, the criteria and the scale; nothing else is set.
    static func unknownNames(in loaded: LoadedTemplate) -> [Diagnostic] {
        loaded.template.variables.compactMap { name in
            let head = String(name.split(separator: ".").first ?? "")
            guard !JudgeSpec.promptVariables.contains(head) else { return nil }
            return loaded.diagnostic(TemplateError(mark: loaded.template.marks(of: name).first ?? Mark(line: 1, column: 1),
                                                   message: "a judge's prompt cannot read '\(name)'",
                                                   hint: Suggestion.hint(for: head, in: JudgeSpec.promptVariables)
                                                       ?? "it reads " + JudgeSpec.promptVariables.joined(separator: ", ")))
        }
    }
}
