/// Questions about a schema's `$ref`s that a provider's structured output asks before flow sends
/// the schema (the validator itself follows references lazily and needs none of this).
enum SchemaReferences {
    /// The pointer of the first `$ref` that leads back into a schema it is inside of (a tree, a
    /// linked list), or nil when following every reference ends. An unresolvable reference
    /// counts as a cycle: nothing can be promised about it.
    static func cycle(in schema: JSON) -> String? {
        let validator = JSONSchemaValidator(schema: schema)
        var budget = 10_000
        return walk(schema, at: "#", expanding: ["#"], validator: validator, budget: &budget)
    }

    private static func walk(_ node: JSON, at path: String, expanding: [String], validator: JSONSchemaValidator,
                             budget: inout Int) -> String? {
        budget -= 1
        guard budget > 0 else { return path }
        switch node {
        case .object(let pairs):
            for (key, value) in pairs where !["const", "enum", "default", "examples", "$defs"].contains(key) {
                let here = path + "/" + Pointer.escape(key)
                if key == "$ref" || key == "$dynamicRef", let reference = value.string {
                    guard let (target, targetPath) = validator.resolve(reference, at: path) else { return here }
                    let loops = expanding.contains { $0 == targetPath || $0.hasPrefix(targetPath + "/") }
                        || path == targetPath || path.hasPrefix(targetPath + "/")
                    if loops { return here }
                    if let found = walk(target, at: targetPath, expanding: expanding + [targetPath], validator: validator, budget: &budget) {
                        return found
                    }
                } else if let found = walk(value, at: here, expanding: expanding, validator: validator, budget: &budget) {
                    return found
                }
            }
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let found = walk(item, at: path + "/\(index)", expanding: expanding, validator: validator, budget: &budget) {
                    return found
                }
            }
        default:
            break
        }
        return nil
    }
}
