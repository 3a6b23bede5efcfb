import Foundation
import FlowSource
import FlowTemplate
import FlowYAML

/// Why a workflow could not be loaded.
public enum LoadError: Error, Sendable, CustomStringConvertible {
    /// A file could not be read (exit 66).
    case unreadable(Diagnostic)
    /// The workflow or a template is invalid (exit 65); every problem found, in order.
    case invalid([Diagnostic])

    /// The problems, one or many.
    public var diagnostics: [Diagnostic] {
        switch self {
        case .unreadable(let diagnostic): return [diagnostic]
        case .invalid(let diagnostics): return diagnostics
        }
    }

    /// Every problem in its full form.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Reads a workflow file and the template files it names: the I/O around the pure decoder.
public enum WorkflowLoader {
    /// Larger files are refused before they are read (the YAML limit is lower still).
    static let maxFileBytes = 64 << 20

    /// Loads, decodes and checks the workflow at `path`. File templates resolve relative to the
    /// workflow file's directory.
    public static func load(path: String, limits: YAMLLimits = .default) throws(LoadError) -> LoadedWorkflow {
        try load(path: path, limits: limits, chain: [], reference: nil)
    }

    /// Loads one workflow of a chain of calls: `chain` holds the callers' paths, outermost
    /// first, and `reference` where the innermost one names this file.
    static func load(path: String, limits: YAMLLimits, chain: [String],
                     reference: (mark: Mark, source: SourceFile)?) throws(LoadError) -> LoadedWorkflow {
        let bytes = try read(path, referencedAt: reference?.mark, from: reference?.source, what: "called workflow")
        let source = try sourceFile(path: path, bytes: bytes)
        let directory = PathText.directory(of: path)
        let config = try ProjectConfig.find(from: directory)
        let providers = WorkflowDecoder.knownProviders + config.providers.map(\.name)
        var (workflow, rootNode) = try decodeYAML(source, limits: limits) { root throws(DiagnosticList) in
            (try WorkflowDecoder.decode(root, source: source, providers: providers, servers: config.mcp), root)
        }

        var templates: [TemplateSource: LoadedTemplate] = [:]
        var files: [TemplateFile] = []
        var problems: [Diagnostic] = []
        let root = ProjectRoot(workflowDirectory: directory)
        problems += loadDatasetVariables(&workflow, files: &files, directory: directory, root: root, source: source)
        for templateSource in workflow.templateSources where templates[templateSource] == nil {
            do {
                let (loaded, file) = try loadTemplate(templateSource, workflowSource: source, directory: directory, root: root)
                templates[templateSource] = loaded
                if let file, !files.contains(file) { files.append(file) }
            } catch {
                problems.append(contentsOf: error.diagnostics)
            }
        }
        var media: [MediaReference: Media] = [:]
        for step in workflow.steps {
            for case .media(let reference) in step.userParts where media[reference] == nil {
                do {
                    media[reference] = try loadMedia(reference, directory: directory, root: root, source: source)
                } catch {
                    problems.append(contentsOf: error.diagnostics)
                }
            }
        }
        let (datasetCases, datasetProblems) = loadDatasets(workflow, directory: directory, root: root, source: source)
        workflow.tests += datasetCases
        problems += datasetProblems
        problems += SchemaFiles.resolve(&workflow, directory: directory, root: root, source: source)
        problems += JudgePrompts.resolve(&workflow, templates: &templates, source: source, directory: directory, root: root)
        let partialsDirectory = PartialLoader.directory(for: workflow, workflowDirectory: directory)
        // A partials directory obeys the rule every file reference does: inside the project.
        if let partialsDirectory, workflow.partials != nil, !root.contains(directory: partialsDirectory) {
            throw .invalid(problems + [Diagnostic(source, workflow.partialsMark ?? Mark(line: 1, column: 1),
                                                  "partials directory '\(partialsDirectory)' is outside the project directory \(root.path)",
                                                  hint: "file references stay inside the project: the directory holding .git or flow.config.yaml")])
        }
        var partials = PartialLoader(directory: partialsDirectory)
        partials.load(referencedBy: Array(templates.values))
        problems += partials.problems
        for file in partials.files where !files.contains(file) { files.append(file) }
        problems += ReferenceCheck.diagnostics(for: workflow, templates: templates, source: source)
        // Each variant's prompts are checked as that variant runs them; a problem shared with the
        // workflow as written is said once.
        for variant in workflow.variants {
            for problem in ReferenceCheck.diagnostics(for: workflow.applying(variant), templates: templates, source: source)
            where !problems.contains(where: { $0.description == problem.description }) {
                problems.append(problem)
            }
        }
        let calls = loadCallees(workflow, directory: directory, root: root, source: source, limits: limits,
                                chain: chain + [normalize(path)])
        problems += calls.problems
        // What run would refuse before sending, refused here with its place; only once the
        // rest is sound, since a rule reads the merged params and the loaded media.
        if problems.isEmpty {
            let registry = ProviderRegistry(environment: [:], transport: NoTransport(), mockReplies: [], compatible: config.providers)
            problems += ProviderRules.problems(workflow, media: media, root: rootNode, source: source, registry: registry)
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        var loaded = LoadedWorkflow(workflow: workflow, source: source, sha256: SHA256.hex(bytes),
                                    templates: templates, templateFiles: files, partials: partials.loaded, config: config)
        loaded.media = media
        loaded.callees = calls.callees
        loaded.warnings = StepGraph.unreachable(workflow).map { index in
            var warning = Diagnostic(source, workflow.steps[index].mark, "step '\(workflow.steps[index].id)' is never reached",
                                     hint: "no step goes to it and the step before it never moves on with 'next'")
            warning.isWarning = true
            return warning
        } + ModelNames.warnings(workflow, source: source) + calls.callees.values.flatMap(\.warnings)
        return loaded
    }

    /// The cases of every dataset a workflow's `tests:` names: one per row, the row's variables
    /// over the entry's, its own `expect` added; a column nothing reads is a located error.
    static func loadDatasets(_ workflow: Workflow, directory: String, root: ProjectRoot,
                             source: SourceFile) -> (cases: [TestCase], problems: [Diagnostic]) {
        var cases: [TestCase] = []
        var problems: [Diagnostic] = []
        for (template, relative, mark) in workflow.datasets {
            let path = Self.normalize(relative.hasPrefix("/") || directory.isEmpty ? relative : directory + "/" + relative)
            do {
                try checkInside(root, path, referencedAt: mark, from: source)
                let bytes = try read(path, referencedAt: mark, from: source, what: "dataset")
                let datasetSource = try sourceFile(path: path, bytes: bytes)
                let rows = try Datasets.placedRows(datasetSource)
                var reported: Set<String> = []
                for (index, (row, rowMark)) in rows.enumerated() {
                    var testCase = template
                    var vars = row
                    if case .string(let name)? = vars.removeValue(forKey: "name") { testCase.name = name } else {
                        testCase.name = "\(template.name) #\(index + 1)"
                    }
                    // A row may add expectations of its own (JSON Lines and YAML rows).
                    if let expect = vars.removeValue(forKey: "expect") {
                        var decoder = WorkflowDecoder(source: datasetSource)
                        let node = Datasets.node(JSON(expect), at: rowMark)
                        let extra = (node.sequence ?? [node]).compactMap { decoder.expectation($0) }
                            .map { expectation -> Expectation in
                                var placed = expectation
                                placed.file = path
                                return placed
                            }
                        problems += decoder.diagnostics
                        testCase.expectations += extra
                    }
                    // A column nothing reads is almost always a misspelled variable.
                    let known = WorkflowDecoder.caseVariables(inputs: workflow.vars.map(\.name), testCase)
                    for column in vars.keys.sorted() where !known.contains(column) && reported.insert(column).inserted {
                        var decoder = WorkflowDecoder(source: datasetSource)
                        decoder.reportUnknownVariable(column, at: Datasets.columnMark(column, in: datasetSource) ?? rowMark,
                                                      known: known, in: "the dataset sets")
                        problems += decoder.diagnostics
                    }
                    testCase.vars = template.vars.merging(vars) { _, row in row }
                    cases.append(testCase)
                }
            } catch let error as LoadError {
                problems += error.diagnostics
            } catch let error as Diagnostic {
                problems.append(error)
            } catch {
                problems.append(Diagnostic(source, mark, "\(error)"))
            }
        }
        return (cases, problems)
    }

    static func loadTemplate(_ templateSource: TemplateSource, workflowSource: SourceFile,
                                     directory: String, root: ProjectRoot) throws(LoadError) -> (LoadedTemplate, TemplateFile?) {
        switch templateSource.kind {
        case .inline(let text):
            var loaded = LoadedTemplate(template: Template.empty, file: workflowSource, inlineMark: templateSource.mark,
                                        strict: templateSource.strict)
            do {
                loaded.template = try Template(text)
                return (loaded, nil)
            } catch {
                throw .invalid([loaded.diagnostic(error)])
            }
        case .file(let relative):
            let joined = relative.hasPrefix("/") || directory.isEmpty ? relative : directory + "/" + relative
            // "workflows/../templates/x" reads better in records as "templates/x".
            let path = Self.normalize(joined)
            try checkInside(root, path, referencedAt: templateSource.mark, from: workflowSource)
            let (file, sha256) = try readTemplate(path, referencedAt: templateSource.mark, from: workflowSource)
            do {
                let template = try Template(file.text)
                return (LoadedTemplate(template: template, file: file, inlineMark: nil, strict: templateSource.strict),
                        TemplateFile(path: path, sha256: sha256))
            } catch {
                throw .invalid([Diagnostic(file, error.mark, error.message, hint: error.hint)])
            }
        }
    }

    /// The project config that applies in `directory` (compatible providers, key files).
    public static func projectConfig(for directory: String) throws(LoadError) -> ProjectConfig {
        try ProjectConfig.find(from: directory)
    }

    /// An image or document a user turn names: a URL as given, or a project file read now, so a
    /// missing file or one that is not what it claims fails validation. The media type comes
    /// from the bytes (PNG, JPEG, GIF, WebP images; PDF documents), not the file's extension.
    static func loadMedia(_ reference: MediaReference, directory: String, root: ProjectRoot,
                          source: SourceFile) throws(LoadError) -> Media {
        if let url = reference.url { return Media(kind: reference.kind, url: url, detail: reference.detail) }
        let relative = reference.file ?? ""
        let path = normalize(relative.hasPrefix("/") || directory.isEmpty ? relative : directory + "/" + relative)
        try checkInside(root, path, referencedAt: reference.mark, from: source)
        let bytes = try read(path, referencedAt: reference.mark, from: source, what: "\(reference.kind.rawValue) file")
        let type = Media.sniff(bytes)
        switch (reference.kind, type) {
        case (.image, let type?) where type.hasPrefix("image/"):
            // Recorded as written (relative to the workflow), so a cassette key does not depend on
            // the directory flow runs from; the sha256 pins the content.
            return Media(kind: .image, mediaType: type, data: bytes, path: relative, detail: reference.detail)
        case (.document, "application/pdf"?):
            return Media(kind: .document, mediaType: "application/pdf", data: bytes, path: relative)
        default:
            let expected = reference.kind == .image ? "a PNG, JPEG, GIF or WebP image" : "a PDF document"
            throw .invalid([Diagnostic(source, reference.mark, "'\(path)' is not \(expected) by its bytes" + (type.map { " (it reads as \($0))" } ?? ""),
                                       hint: reference.kind == .image ? "flow sends the image formats every provider reads" : "documents are PDFs")])
        }
    }

    /// Refuses a file reference that leaves the project (`/etc/passwd`, `../../x`, a link out).
    static func checkInside(_ root: ProjectRoot, _ path: String, referencedAt mark: Mark, from source: SourceFile) throws(LoadError) {
        guard root.contains(path) else {
            throw .invalid([Diagnostic(source, mark, "'\(path)' is outside the project directory \(root.path)",
                                       hint: "file references stay inside the project: the directory holding .git or flow.config.yaml")])
        }
    }

    /// Loads `source` as YAML and decodes it, turning either step's errors into `.invalid`.
    static func decodeYAML<T>(_ source: SourceFile, limits: YAMLLimits = .default,
                              _ decode: (Node?) throws(DiagnosticList) -> T) throws(LoadError) -> T {
        let root: Node?
        do {
            root = try YAML.load(source, limits: limits)
        } catch {
            throw .invalid([error])
        }
        do {
            return try decode(root)
        } catch {
            throw .invalid(error.diagnostics)
        }
    }

    /// Reads and decodes a template file; a missing one is placed at the reference.
    static func readTemplate(_ path: String, referencedAt mark: Mark, from source: SourceFile) throws(LoadError) -> (SourceFile, String) {
        let bytes = try read(path, referencedAt: mark, from: source)
        return (try sourceFile(path: path, bytes: bytes), SHA256.hex(bytes))
    }

    /// Folds "." and ".." parts without touching the file system (symlinks stay as written).
    /// On bytes, as ranges of the path: splitting into `[Substring]` and joining them again had the
    /// runtime build those generic types from their mangled names, a conformance scan each, on
    /// every start.
    static func normalize(_ path: String) -> String {
        let bytes = Array(path.utf8)
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        // Parts as (start, end) offsets: not [Range<Int>], whose metadata needs Int: Comparable
        // looked up at run time (another scan).
        var parts: [(start: Int, end: Int)] = []
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != slash { end += 1 }
            let length = end - start
            if length == 0 || (length == 1 && bytes[start] == dot) {
                // empty or ".": dropped
            } else if length == 2, bytes[start] == dot, bytes[start + 1] == dot,
                      let last = parts.last, !(last.end - last.start == 2 && bytes[last.start] == dot && bytes[last.start + 1] == dot) {
                parts.removeLast()
            } else {
                parts.append((start, end))
            }
            start = end + 1
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 1)
        if bytes.first == slash { out.append(slash) }
        for (index, part) in parts.enumerated() {
            if index > 0 { out.append(slash) }
            out.append(contentsOf: bytes[part.start..<part.end])
        }
        if out.isEmpty { out.append(dot) }
        return String(decoding: out, as: UTF8.self)
    }

    static func read(_ path: String, referencedAt mark: Mark?, from source: SourceFile?,
                     what: String = "template file") throws(LoadError) -> [UInt8] {
        // stat(2), not FileManager's attribute dictionary: its `Any` values cost dynamic casts
        // that were a tenth of an installed `flow validate`'s start (docs/performance.md).
        if let open = FileOverlay.documents[path] { return open }
        var info = stat()
        if stat(path, &info) == 0, case let size = Int(info.st_size), size > maxFileBytes {
            throw .unreadable(Diagnostic(path: path, mark: nil, message: "file is \(size) bytes, over the limit of \(maxFileBytes) bytes"))
        }
        guard let bytes = FileBytes.read(path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let reason = exists ? (isDirectory.boolValue ? "is a directory" : "cannot be read") : "does not exist"
            if let source, let mark {
                // A misspelt name: the closest file beside it, by name.
                let directory = PathText.directory(of: path)
                let siblings = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
                let name = String(path.split(separator: "/").last ?? "")
                let near = exists ? nil : Suggestion.closest(to: name, in: siblings.filter { !$0.hasPrefix(".") })
                throw .invalid([Diagnostic(source, mark, "\(what) '\(path)' \(reason)",
                                           hint: near.map { "did you mean '\(directory.isEmpty ? "" : directory + "/")\($0)'? (paths are relative to the workflow file's directory)" }
                                               ?? "paths are relative to the workflow file's directory")])
            }
            throw .unreadable(Diagnostic(path: path, mark: nil, message: "file \(reason)"))
        }
        return bytes
    }

    static func sourceFile(path: String, bytes: [UInt8]) throws(LoadError) -> SourceFile {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalid([Diagnostic(path: path, mark: firstInvalidUTF8(bytes), message: "file is not valid UTF-8")])
        }
        return SourceFile(path: path, text: text)
    }

    /// The place of the first byte that does not decode, for the error message.
    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Mark {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var mark = Mark(line: 1, column: 1)
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" { mark = Mark(line: mark.line + 1, column: 1) } else { mark.column += 1 }
            case .emptyInput:
                return mark
            case .error:
                return mark
            }
        }
    }
}

extension Workflow {
    /// Every template the workflow uses, in file order.
    public var templateSources: [TemplateSource] {
        var sources: [TemplateSource] = []
        if let system { sources.append(system) }
        for step in steps {
            if let user = step.user { sources.append(user) }
            for case .text(let text) in step.userParts { sources.append(text) }
            if let prefill = step.prefill { sources.append(prefill) }
            for input in step.call?.vars ?? [] { sources.append(input.value) }
        }
        if let output { sources.append(output) }
        return sources + variants.flatMap(\.templateSources)
    }
}
