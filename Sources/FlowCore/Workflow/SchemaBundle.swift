import Foundation
import FlowSource

/// A schema whose `$ref`s name other schema files (`line.json`, `../common/defs.json#/$defs/x`),
/// made into one document: each file is read (inside the project, checked like any schema file)
/// and embedded under the root's `$defs` by its project-relative path, and every reference is
/// rewritten to point into it, the embedded file's own `#/…` references included. The validator
/// then sees a single document, and failures name the file in their schema path
/// (`#/$defs/schemas~1line.json/properties/qty/minimum`).
struct SchemaBundle {
    let mark: Mark
    private(set) var embedded: [(key: String, schema: JSON)] = []
    private var keys: [String: String] = [:]

    /// `schema`, whose relative file references start from `directory`, as one document; files
    /// come from `reader`, which reads each once and keeps their problems.
    static func bundle(_ schema: JSON, directory: String, mark: Mark, reader: inout SchemaFiles.Reader) -> JSON {
        var bundle = SchemaBundle(mark: mark)
        let result = bundle.rewrite(schema, directory: directory, prefix: "#", reader: &reader)
        guard !bundle.embedded.isEmpty, case .object(var pairs) = result else { return result }
        let defs = (result["$defs"]?.objectPairs ?? []) + bundle.embedded.map { ($0.key, $0.schema) }
        pairs.removeAll { $0.0 == "$defs" }
        return .object(pairs + [("$defs", .object(defs))])
    }

    /// `prefix` is where the file being rewritten sits in the bundle; nil inside a resource with
    /// an `$id` of its own, whose references resolve against that `$id` and stay as written.
    private mutating func rewrite(_ json: JSON, directory: String, prefix: String?, reader: inout SchemaFiles.Reader) -> JSON {
        switch json {
        case .object(let pairs):
            let prefix = json["$id"]?.string != nil ? nil : prefix
            return .object(pairs.map { key, value in
                if ["const", "enum", "default", "examples"].contains(key) { return (key, value) }
                if key == "$ref" || key == "$dynamicRef", let reference = value.string {
                    return (key, .string(target(reference, directory: directory, prefix: prefix, reader: &reader)))
                }
                return (key, rewrite(value, directory: directory, prefix: prefix, reader: &reader))
            })
        case .array(let items):
            return .array(items.map { rewrite($0, directory: directory, prefix: prefix, reader: &reader) })
        default:
            return json
        }
    }

    /// Where `reference` points in the bundle.
    private mutating func target(_ reference: String, directory: String, prefix: String?, reader: inout SchemaFiles.Reader) -> String {
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let fragment = parts.count > 1 ? parts[1] : ""
        guard let prefix else { return reference }
        guard SchemaCheck.isFileReference(reference) else {
            // Within the same file: `#/…` is relative to that file's place in the bundle.
            return reference == "#" ? prefix : reference.hasPrefix("#/") ? prefix + reference.dropFirst() : reference
        }
        let path = WorkflowLoader.normalize(parts[0].hasPrefix("/") || directory.isEmpty ? parts[0] : directory + "/" + parts[0])
        let key = embed(path, reader: &reader)
        let base = "#/$defs/" + Pointer.escape(key)
        return fragment.isEmpty ? base : fragment.hasPrefix("/") ? base + fragment : "#" + fragment
    }

    /// The `$defs` key of the file at `path`, embedding it the first time this bundle meets it.
    private mutating func embed(_ path: String, reader: inout SchemaFiles.Reader) -> String {
        if let key = keys[path] { return key }
        let key = path.hasPrefix(reader.root.path + "/") ? String(path.dropFirst(reader.root.path.count + 1)) : path
        keys[path] = key
        let index = embedded.count
        embedded.append((key, .bool(true)))
        embedded[index].schema = rewrite(reader.schema(path, referencedAt: mark), directory: PathText.directory(of: path),
                                         prefix: "#/$defs/" + Pointer.escape(key), reader: &reader)
        return key
    }
}
