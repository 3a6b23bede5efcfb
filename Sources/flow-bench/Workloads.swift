import FlowTemplate

/// Generated inputs, so the benchmark needs no files and measures the same work every time.
enum Workloads {
    /// A prompt template of about 10 KB: 100 variables, list sections, inverted sections,
    /// dotted names and comments, the shapes real prompt files use.
    static func template() -> (text: String, context: [String: TemplateValue]) {
        var text = "{{! generated benchmark prompt }}\nYou are assistant {{v0}} for {{v1}}.\n\n"
        var context: [String: TemplateValue] = [:]
        for index in 0..<100 {
            context["v\(index)"] = .string("value-\(index)")
        }
        var line = 0
        while text.utf8.count < 9_000 {
            let a = line % 100, b = (line * 7 + 3) % 100
            text += "Line \(line): consider {{v\(a)}} together with {{v\(b)}} before answering.\n"
            if line % 10 == 0 {
                text += "{{#items}}\n- {{name}} scored {{score}}{{#flagged}} (flagged){{/flagged}}\n{{/items}}\n"
                text += "{{^empty}}\nNothing is missing.\n{{/empty}}\n"
                text += "Owner: {{owner.name}} <{{owner.email}}>\n"
            }
            line += 1
        }
        context["items"] = .list((0..<5).map { .map(["name": .string("item-\($0)"), "score": .int($0 * 10), "flagged": .bool($0 % 2 == 0)]) })
        context["empty"] = .list([])
        context["owner"] = .map(["name": .string("Ada"), "email": .string("ada@example.test")])
        return (text, context)
    }

    /// A workflow of about 1 MB: many steps with inline templates and params.
    static func workflow() -> String {
        var text = "flow: 1\nname: bench\nmodel: mock/m\nparams: {temperature: 0.2, max_tokens: 300}\nvars:\n  topic: owls\nsteps:\n"
        var index = 0
        while text.utf8.count < 1_000_000 {
            text += """
              - id: step_\(index)
                user: |
                  Step \(index): write three sentences about {{topic}}.
                  Keep them short, concrete and friendly; avoid jargon.
                params: {temperature: 0.\(index % 10), stop: ["END", "STOP"], seed: \(index)}

            """
            index += 1
        }
        return text
    }

    /// A JSON Schema of the shapes extraction uses ($defs and $ref, patterns, bounds, enums,
    /// unevaluatedProperties) and an instance of about 100 KB that satisfies it.
    static func schemaWorkload() -> (schema: String, instance: String) {
        let schema = #"""
        {"$defs": {"line": {"type": "object", "required": ["sku", "qty", "price"],
                             "properties": {"sku": {"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$"},
                                            "qty": {"type": "integer", "minimum": 1, "maximum": 1000},
                                            "price": {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.01},
                                            "tags": {"type": "array", "items": {"enum": ["new", "sale", "bulk"]}, "uniqueItems": true}},
                             "unevaluatedProperties": false}},
         "type": "object", "required": ["orders"],
         "properties": {"orders": {"type": "array", "minItems": 1,
                                   "items": {"type": "object", "required": ["id", "lines"],
                                             "properties": {"id": {"type": "string", "minLength": 3},
                                                            "lines": {"type": "array", "items": {"$ref": "#/$defs/line"}}}}}}}
        """#
        var orders: [String] = []
        var size = 0
        var index = 0
        while size < 100_000 {
            let lines = (0..<4).map { line in
                #"{"sku": "ABC-\#(String(format: "%04d", (index * 4 + line) % 10000))", "qty": \#(line + 1), "price": \#(line + 1).25, "tags": ["new", "sale"]}"#
            }
            let order = #"{"id": "order-\#(index)", "lines": [\#(lines.joined(separator: ", "))]}"#
            orders.append(order)
            size += order.utf8.count
            index += 1
        }
        return (schema, #"{"orders": [\#(orders.joined(separator: ", "))]}"#)
    }
}
