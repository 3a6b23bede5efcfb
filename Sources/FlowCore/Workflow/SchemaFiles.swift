import Foundation
import FlowSource
import FlowYAML

/// `schema: {file: schemas/order.json}` (on a step, in `json_schema:` or `schema:` expectations):
/// the decoder leaves a placeholder naming the file, and the loader reads it (inside the
/// project), checks it with its problems placed in that file, and puts the schema in its place.
/// One file may serve a step and the expectations that check the same shape.
enum SchemaFiles {
    /// The placeholder's key: not a JSON Schema keyword, so it cannot meet a real schema.
    static let key = "$flow_schema_file"

    /// The placeholder for `path`, written at `mark`.
    static func placeholder(_ path: String, mark: Mark) -> JSON {
        .object([(key, .string(path)), ("line", .int(mark.line)), ("column", .int(mark.column))])
    }

    /// The schema files of one workflow, each read and checked once however many schemas name
    /// it; a file's problems are reported the first time only.
    struct Reader {
        let root: ProjectRoot
        let source: SourceFile
        private var read: [String: JSON] = [:]
        private(set) var problems: [Diagnostic] = []

        init(root: ProjectRoot, source: SourceFile) {
            self.root = root
            self.source = source
        }

        /// The schema at `path` (`true` when it cannot be used: its problems are reported once).
        mutating func schema(_ path: String, referencedAt mark: Mark) -> JSON {
            if let known = read[path] { return known }
            switch SchemaFiles.read(path, mark: mark, root: root, source: source) {
            case .success(let schema):
                read[path] = schema
            case .failure(let error):
                problems += error.diagnostics
                read[path] = .bool(true)
            }
            return read[path]!
        }
    }

    /// Replaces every placeholder of `workflow` with its file's schema, and bundles the files
    /// their `$ref`s name (`SchemaBundle`); problems are returned.
    static func resolve(_ workflow: inout Workflow, directory: String, root: ProjectRoot, source: SourceFile) -> [Diagnostic] {
        var reader = Reader(root: root, source: source)
        func load(_ value: JSON, at place: Mark) -> JSON {
            guard let relative = value[key]?.string else {
                return SchemaBundle.bundle(value, directory: directory, mark: place, reader: &reader)
            }
            let mark = Mark(line: value["line"]?.int ?? 1, column: value["column"]?.int ?? 1)
            let path = WorkflowLoader.normalize(relative.hasPrefix("/") || directory.isEmpty ? relative : directory + "/" + relative)
            return SchemaBundle.bundle(reader.schema(path, referencedAt: mark), directory: PathText.directory(of: path),
                                       mark: mark, reader: &reader)
        }
        // `format_assertion: true` asks for every format to be checked: one flow cannot check is
        // refused here, not passed unread when an answer comes.
        var unchecked: [Diagnostic] = []
        func assertable(_ schema: JSON, at mark: Mark) {
            for (pointer, format) in SchemaFormats.unchecked(in: schema) {
                unchecked.append(Diagnostic(source, mark, "format_assertion is on, but flow does not check the format '\(format)' (at \(pointer))",
                                            hint: "flow checks \(SchemaFormats.checked.joined(separator: ", ")); check this one with a "
                                                + "'pattern', or drop format_assertion to keep formats as annotations"))
            }
        }
        for index in workflow.steps.indices {
            if let schema = workflow.steps[index].schema {
                let loaded = load(schema, at: workflow.steps[index].mark)
                workflow.steps[index].schema = loaded
                if workflow.steps[index].formatAssertion { assertable(loaded, at: workflow.steps[index].mark) }
            }
        }
        for caseIndex in workflow.tests.indices {
            for expectationIndex in workflow.tests[caseIndex].expectations.indices {
                let expectation = workflow.tests[caseIndex].expectations[expectationIndex]
                if case .jsonSchema(let schema) = expectation.kind {
                    let loaded = load(schema, at: expectation.mark)
                    workflow.tests[caseIndex].expectations[expectationIndex].kind = .jsonSchema(loaded)
                    if expectation.formatAssertion { assertable(loaded, at: expectation.mark) }
                }
            }
        }
        return reader.problems + unchecked
    }

    /// The schema file at `path`, read as YAML (JSON is YAML) so each problem has its place.
    static func read(_ path: String, mark: Mark, root: ProjectRoot, source: SourceFile) -> Result<JSON, LoadError> {
        do throws(LoadError) {
            try WorkflowLoader.checkInside(root, path, referencedAt: mark, from: source)
            let file = try WorkflowLoader.sourceFile(path: path, bytes: try WorkflowLoader.read(path, referencedAt: mark, from: source))
            let node: Node? = try WorkflowLoader.decodeYAML(file) { node throws(DiagnosticList) in node }
            guard let node else { return .failure(.invalid([Diagnostic(file, Mark(line: 1, column: 1), "the schema file is empty")])) }
            let schema = WorkflowDecoder.json(node)
            let problems = SchemaCheck.problems(schema).map { problem in
                Diagnostic(file, WorkflowDecoder.place(of: problem, in: node), problem.message, hint: problem.hint)
            }
            return problems.isEmpty ? .success(schema) : .failure(.invalid(problems))
        } catch {
            return .failure(error)
        }
    }
}
