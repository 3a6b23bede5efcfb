/// `json_schema` expectations: JSON Schema draft 2020-12 (`JSONSchemaValidator`), every failure
/// listed with its place in the value and in the schema (the first 10, and how many more).
public enum JSONSchema {
    /// Failures listed in a message at most; the rest are counted.
    public static let listed = 10

    /// The problems of `value` against `schema`, each naming its place (`$.items[2]`) and the
    /// schema's keyword (`#/properties/items/minItems`); empty when it fits.
    public static func validate(_ value: JSON, against schema: JSON, formatAssertion: Bool = false) -> [String] {
        let failures = JSONSchemaValidator(schema: schema, formatAssertion: formatAssertion).validate(value)
        var lines = failures.prefix(listed).map(\.description)
        if failures.count > listed { lines.append("and \(failures.count - listed) more") }
        return lines
    }
}
