import FlowSource
import FlowTemplate

/// A workflow with its templates and partials parsed and its references checked: ready to run.
public struct LoadedWorkflow: Sendable {
    /// The decoded workflow, dataset rows added to its tests.
    public var workflow: Workflow
    /// The workflow file's text, for diagnostics.
    public var source: SourceFile
    /// sha256 of the workflow file's bytes, recorded so a result names the exact version.
    public var sha256: String
    /// Every template, parsed.
    public var templates: [TemplateSource: LoadedTemplate]
    /// Template and partial files read, with their sha256, in the order first referenced.
    public var templateFiles: [TemplateFile]
    /// Partials by name, with the files they came from.
    public var partials: [String: LoadedTemplate] = [:]
    /// The project config that applied (compatible providers).
    public var config = ProjectConfig()
    /// The images and documents user turns name, read (files) when the workflow was loaded.
    public var media: [MediaReference: Media] = [:]
    /// Things likely wrong that do not stop the workflow from running (unreachable steps).
    public var warnings: [Diagnostic] = []
    /// The variant this workflow is applied with, nil for the workflow as written.
    public var variant: String?
    /// The workflows its `call:` steps run, loaded and checked with it, by the path written.
    public var callees: [String: LoadedWorkflow] = [:]

    /// True when every model a run can reach is a mock, the called workflows' included: such a
    /// workflow runs offline without a cassette.
    public var answersOnlyFromMock: Bool {
        workflow.steps.allSatisfy { step in
            if let call = step.call { return callees[call.path]?.answersOnlyFromMock ?? false }
            guard (step.model ?? workflow.model)?.isMock == true else { return false }
            return step.branches.values.joined().allSatisfy { if case .retry(let spec) = $0.action { return spec.model?.isMock ?? true }; return true }
        }
    }

    /// The parsed template for `source`; every source in the workflow has one once loaded.
    public func template(_ source: TemplateSource) -> LoadedTemplate {
        templates[source]!
    }

    /// How templates render in this workflow: its escaping, its partials, strict or not.
    public func renderOptions(strict: Bool) -> RenderOptions {
        RenderOptions(escaping: workflow.escaping, missing: strict ? .error : .empty,
                      partials: PartialLibrary(partials.mapValues(\.template)))
    }

    /// A diagnostic for an error rendering `template`, placed in the partial it came from if any.
    public func diagnostic(_ error: TemplateError, in template: LoadedTemplate) -> Diagnostic {
        if let name = error.partial, let partial = partials[name] { return partial.diagnostic(error) }
        return template.diagnostic(error)
    }
}

/// A template or partial file a run read, recorded in run_start.
public struct TemplateFile: Sendable, Equatable {
    /// The file's path as the workflow reaches it.
    public var path: String
    /// The sha256 of its bytes.
    public var sha256: String
}

/// A parsed template and where its text lives, to place errors.
public struct LoadedTemplate: Sendable {
    /// The parsed template.
    public var template: Template
    /// For a file template, the file; for an inline one, the workflow file.
    public var file: SourceFile
    /// Where an inline template starts in the workflow; nil for a file template.
    public var inlineMark: Mark?
    /// Whether missing names are errors (`strict: false` renders them as nothing).
    public var strict: Bool = true

    /// A diagnostic for a template error, in the template file or at its place in the workflow.
    public func diagnostic(_ error: TemplateError) -> Diagnostic {
        guard let inlineMark else { return Diagnostic(file, error.mark, error.message, hint: error.hint) }
        if let mark = InlinePlacement.mark(of: error.mark, inTemplateAt: inlineMark, source: file) {
            return Diagnostic(file, mark, error.message, hint: error.hint)
        }
        let place = " (template line \(error.mark.line), column \(error.mark.column))"
        return Diagnostic(file, inlineMark, error.message + place, hint: error.hint)
    }
}

/// Maps a place in an inline template to its place in the YAML file, for the common layouts:
/// a one-line plain or quoted scalar, and a literal or folded block (`|`, `>`) whose lines are
/// the template's lines. Elsewhere (escapes, folded plain scalars) it gives up and returns nil.
enum InlinePlacement {
    static func mark(of templateMark: Mark, inTemplateAt node: Mark, source: SourceFile) -> Mark? {
        guard let line = source.line(node.line), node.column - 1 < line.count else { return nil }
        let indicator = line[line.index(line.startIndex, offsetBy: node.column - 1)]
        switch indicator {
        case "|", ">":
            var contentLine = node.line + 1
            while let text = source.line(contentLine), text.allSatisfy({ $0 == " " }) { contentLine += 1 }
            guard let first = source.line(contentLine) else { return nil }
            let indent = first.prefix { $0 == " " }.count
            return Mark(line: node.line + templateMark.line, column: indent + templateMark.column)
        case "\"", "'":
            guard templateMark.line == 1 else { return nil }
            let before = line.dropFirst(node.column).prefix(templateMark.column - 1)
            // An escape before the tag shifts columns; don't guess.
            if indicator == "\"", before.contains("\\") { return nil }
            if indicator == "'", before.contains("''") { return nil }
            return Mark(line: node.line, column: node.column + templateMark.column)
        default:
            guard templateMark.line == 1 else { return nil }
            return Mark(line: node.line, column: node.column + templateMark.column - 1)
        }
    }
}
