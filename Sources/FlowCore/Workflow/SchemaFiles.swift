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

    /// Replaces every placeholder of `workflow` with its file's schema, and bundles the files
    /// their `$ref`s name (`SchemaBundle`); problems are returned.
    static func resolve(_ workflow: inout Workflow, directory: String, root: ProjectRoot, source: SourceFile) -> [Diagnostic] {
        var cache: [String: Result<JSON, LoadError>] = [:]
        var problems: [Diagnostic] = []
        func load(_ value: JSON, at place: Mark) -> JSON {
            guard let relative = value[key]?.string else {
                let (bundled, found) = SchemaBundle.bundle(value, directory: directory, root: root, source: source, mark: place)
                problems += found
                return bundled
            }
            let mark = Mark(line: value["line"]?.int ?? 1, column: value["column"]?.int ?? 1)
            let path = WorkflowLoader.normalize(relative.hasPrefix("/") || directory.isEmpty ? relative : directory + "/" + relative)
            if cache[path] == nil { cache[path] = read(path, mark: mark, root: root, source: source) }
            switch cache[path]! {
            case .success(let schema):
                let (bundled, found) = SchemaBundle.bundle(schema, directory: (path as NSString).deletingLastPathComponent, root: root,
                                                           source: source, mark: mark)
                problems += found
                return bundled
            case .failure(let error):
                problems += error.diagnostics
                cache[path] = .success(.bool(true))
                return .bool(true)
            }
        }
        for index in workflow.steps.indices {
            if let schema = workflow.steps[index].schema { workflow.steps[index].schema = load(schema, at: workflow.steps[index].mark) }
        }
        for caseIndex in workflow.tests.indices {
            for expectationIndex in workflow.tests[caseIndex].expectations.indices {
                let expectation = workflow.tests[caseIndex].expectations[expectationIndex]
                if case .jsonSchema(let schema) = expectation.kind {
                    workflow.tests[caseIndex].expectations[expectationIndex].kind = .jsonSchema(load(schema, at: expectation.mark))
                }
            }
        }
        return problems
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
