import FlowSource
import FlowTemplate

/// A workflow with its templates parsed and its references checked: ready to run.
public struct LoadedWorkflow: Sendable {
    public var workflow: Workflow
    public var source: SourceFile
    /// sha256 of the workflow file's bytes, recorded so a result names the exact version.
    public var sha256: String
    public var templates: [TemplateSource: LoadedTemplate]
    /// Template files read, with their sha256, in the order first referenced.
    public var templateFiles: [TemplateFile]

    /// The parsed template for `source`; every source in the workflow has one once loaded.
    public func template(_ source: TemplateSource) -> LoadedTemplate {
        templates[source]!
    }
}

public struct TemplateFile: Sendable, Equatable {
    public var path: String
    public var sha256: String
}

/// A parsed template and where its text lives, to place render errors.
public struct LoadedTemplate: Sendable {
    public var template: Template
    /// For a file template, the file; for an inline one, the workflow file.
    public var file: SourceFile
    /// Where an inline template starts in the workflow; nil for a file template.
    public var inlineMark: Mark?

    /// A diagnostic for a template error, in the template file or at the inline template.
    public func diagnostic(_ error: TemplateError) -> Diagnostic {
        if let inlineMark {
            let place = error.mark == Mark(line: 1, column: 1) ? "" : " (template line \(error.mark.line), column \(error.mark.column))"
            return Diagnostic(file, inlineMark, error.message + place, hint: error.hint)
        }
        return Diagnostic(file, error.mark, error.message, hint: error.hint)
    }
}
