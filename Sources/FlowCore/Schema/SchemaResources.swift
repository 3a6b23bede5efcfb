/// The schema resources of one document, found once when a validator is made: every `$id`
/// (resolved against the base of the resource around it), every `$anchor` and `$dynamicAnchor`
/// (scoped to its resource, as 2020-12 scopes them), and the base URI in force at each
/// `$ref`, so a reference is resolved where it is written. Positions are JSON pointers into the
/// whole document (`#/$defs/node`), which is how evaluation names schema locations.
struct SchemaResources: Sendable {
    /// A schema and its pointer in the document.
    typealias Located = (schema: JSON, pointer: String)

    /// Resources by absolute URI (without fragment).
    private(set) var resources: [String: Located] = [:]
    /// Anchors by `URI#name` of their resource.
    private(set) var anchors: [String: Located] = [:]
    /// Each resource's `$dynamicAnchor`s, by the resource's pointer (`#` for the root).
    private(set) var dynamicAnchors: [String: [String: Located]] = [:]
    /// The base URI at each schema object that holds a reference or an `$id`, by pointer.
    private var bases: [String: String] = [:]
    /// The pointer of every resource below the root, in document order.
    private var resourcePointers: [String] = []
    /// The root's base URI.
    let rootBase: String

    init(_ root: JSON) {
        let declared = root["$id"]?.string.map { SchemaURI.split(SchemaURI.resolve($0, against: SchemaURI.documentBase)).document }
        rootBase = declared ?? SchemaURI.documentBase
        resources[rootBase] = (root, "#")
        walk(root, pointer: "#", base: rootBase, resource: "#")
    }

    private mutating func walk(_ schema: JSON, pointer: String, base: String, resource: String) {
        switch schema {
        case .object(let pairs):
            var base = base, resource = resource
            if let id = schema["$id"]?.string, pointer != "#" {
                base = SchemaURI.split(SchemaURI.resolve(id, against: base)).document
                resource = pointer
                resourcePointers.append(pointer)
                if resources[base] == nil { resources[base] = (schema, pointer) }
            }
            if schema["$id"] != nil || schema["$ref"] != nil || schema["$dynamicRef"] != nil { bases[pointer] = base }
            if let name = schema["$anchor"]?.string { anchors[base + "#" + name] = anchors[base + "#" + name] ?? (schema, pointer) }
            if let name = schema["$dynamicAnchor"]?.string {
                // A dynamic anchor is also a plain one.
                anchors[base + "#" + name] = anchors[base + "#" + name] ?? (schema, pointer)
                if dynamicAnchors[resource]?[name] == nil { dynamicAnchors[resource, default: [:]][name] = (schema, pointer) }
            }
            for (key, value) in pairs where !Self.valueKeywords.contains(key) {
                walk(value, pointer: pointer + "/" + Pointer.escape(key), base: base, resource: resource)
            }
        case .array(let items):
            for (index, item) in items.enumerated() { walk(item, pointer: pointer + "/\(index)", base: base, resource: resource) }
        default:
            break
        }
    }

    /// Keywords whose values are data, never schemas: an `$id` inside them identifies nothing.
    static let valueKeywords: Set<String> = ["const", "enum", "default", "examples"]

    /// The pointer of the innermost resource that holds the schema at `pointer` (`#`, the root,
    /// when no `$id` below the root does).
    func resource(containing pointer: String) -> String {
        resourcePointers.reduce("#") { best, candidate in
            (pointer == candidate || pointer.hasPrefix(candidate + "/")) && candidate.count > best.count ? candidate : best
        }
    }

    /// The base URI in force at the schema object at `pointer`.
    func base(at pointer: String) -> String { bases[pointer] ?? rootBase }

    /// What a reference written at `pointer` names.
    enum Target {
        /// A schema of this document.
        case found(Located)
        /// Another file, relative to the one this document was read from (`line.json`).
        case file
        /// A document on the network, which flow never fetches.
        case remote(String)
        /// Nothing this document holds.
        case missing
    }

    /// Where `reference`, written in the schema object at `pointer`, points.
    func target(of reference: String, at pointer: String) -> Target {
        let base = base(at: pointer)
        let absolute = SchemaURI.resolve(reference, against: base)
        let (document, fragment) = SchemaURI.split(absolute)
        if let resource = resources[document] {
            if fragment.isEmpty { return .found(resource) }
            if fragment.hasPrefix("/") {
                guard let (found, canonical) = Pointer.locate(fragment, in: resource.schema) else { return .missing }
                return .found((found, resource.pointer == "#" ? "#" + canonical : resource.pointer + canonical))
            }
            return anchors[document + "#" + fragment].map(Target.found) ?? .missing
        }
        if document.hasPrefix("http://") || document.hasPrefix("https://") { return .remote(document) }
        if base == SchemaURI.documentBase, SchemaCheck.isFileReference(reference) { return .file }
        return .missing
    }
}
