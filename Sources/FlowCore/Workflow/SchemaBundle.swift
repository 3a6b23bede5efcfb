import Foundation
import FlowSource

/// A schema whose `$ref`s name other schema files (`line.json`, `../common/defs.json#/$defs/x`),
/// made into one document: each file is read (inside the project, checked like any schema file)
/// and embedded under the root's `$defs` by its project-relative path, and every reference is
/// rewritten to point into it, the embedded file's own `#/…` references included. The validator
/// then sees a single document, and failures name the file in their schema path
/// (`#/$defs/schemas~1line.json/properties/qty/minimum`).
struct SchemaBundle {
    let root: ProjectRoot
    let source: SourceFile
    let mark: Mark
    private(set) var embedded: [(key: String, schema: JSON)] = []
    private var keys: [String: String] = [:]
    private(set) var problems: [Diagnostic] = []

    init(root: ProjectRoot, source: SourceFile, mark: Mark) {
        self.root = root
        self.source = source
        self.mark = mark
    }

    /// `schema`, whose relative file references start from `directory`, as one document.
    static func bundle(_ schema: JSON, directory: String, root: ProjectRoot, source: SourceFile, mark: Mark) -> (JSON, [Diagnostic]) {
        var bundle = SchemaBundle(root: root, source: source, mark: mark)
        var result = bundle.rewrite(schema, directory: directory, prefix: "#")
        guard !bundle.embedded.isEmpty else { return (result, bundle.problems) }
        guard case .object(var pairs) = result else { return (result, bundle.problems) }
        var defs = result["$defs"]?.objectPairs ?? []
        defs += bundle.embedded.map { ($0.key, $0.schema) }
        pairs.removeAll { $0.0 == "$defs" }
        pairs.append(("$defs", .object(defs)))
        result = .object(pairs)
        return (result, bundle.problems)
    }

    private mutating func rewrite(_ json: JSON, directory: String, prefix: String) -> JSON {
        switch json {
        case .object(let pairs):
            return .object(pairs.map { key, value in
                if ["const", "enum", "default", "examples"].contains(key) { return (key, value) }
                if key == "$ref" || key == "$dynamicRef", let reference = value.string { return (key, .string(target(reference, directory: directory, prefix: prefix))) }
                return (key, rewrite(value, directory: directory, prefix: prefix))
            })
        case .array(let items):
            return .array(items.map { rewrite($0, directory: directory, prefix: prefix) })
        default:
            return json
        }
    }

    /// Where `reference` points in the bundle.
    private mutating func target(_ reference: String, directory: String, prefix: String) -> String {
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let fragment = parts.count > 1 ? parts[1] : ""
        guard SchemaCheck.isFileReference(reference) else {
            // Within the same file: `#/…` is relative to that file's place in the bundle.
            return reference == "#" ? prefix : reference.hasPrefix("#/") ? prefix + reference.dropFirst() : reference
        }
        let path = WorkflowLoader.normalize(parts[0].hasPrefix("/") || directory.isEmpty ? parts[0] : directory + "/" + parts[0])
        guard let key = embed(path) else { return reference }
        let base = "#/$defs/" + Pointer.escape(key)
        return fragment.isEmpty ? base : fragment.hasPrefix("/") ? base + fragment : "#" + fragment
    }

    /// The `$defs` key of the file at `path`, reading and embedding it the first time.
    private mutating func embed(_ path: String) -> String? {
        if let key = keys[path] { return key }
        let key = path.hasPrefix(root.path + "/") ? String(path.dropFirst(root.path.count + 1)) : path
        keys[path] = key
        switch SchemaFiles.read(path, mark: mark, root: root, source: source) {
        case .success(let schema):
            let index = embedded.count
            embedded.append((key, .bool(true)))
            embedded[index].schema = rewrite(schema, directory: (path as NSString).deletingLastPathComponent,
                                             prefix: "#/$defs/" + Pointer.escape(key))
        case .failure(let error):
            problems += error.diagnostics
        }
        return key
    }
}
