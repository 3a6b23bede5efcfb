import FlowSource
import FlowYAML

extension WorkflowDecoder {
    /// A JSON Schema written in the workflow, checked where it is written: each problem of the
    /// schema itself (`SchemaCheck`) reported at the line and column of its key or value.
    mutating func schema(_ node: Node) -> JSON {
        // `{file: path}`: read and checked by the loader (SchemaFiles), which knows the directory.
        if let pairs = node.mapping, pairs.count == 1, let fileNode = node["file"] {
            guard let path = string(fileNode, "file"), path.hasSuffix(".json") || path.hasSuffix(".yaml") || path.hasSuffix(".yml") else {
                report(fileNode.mark, "a schema file is .json or .yaml")
                return .bool(true)
            }
            return SchemaFiles.placeholder(path, mark: fileNode.mark)
        }
        let schema = Self.json(node)
        for problem in SchemaCheck.problems(schema) {
            report(Self.place(of: problem, in: node), problem.message, hint: problem.hint)
        }
        return schema
    }

    /// `format_assertion: true` beside a schema: `format` is checked, not only an annotation.
    mutating func formatAssertion(_ owner: Node) -> Bool {
        flag(owner["format_assertion"], "format_assertion")
    }

    /// Where a schema problem is in the YAML: the key of an unknown keyword, else the value.
    static func place(of problem: SchemaCheck.Problem, in root: Node) -> Mark {
        var node = root
        for (index, step) in problem.path.enumerated() {
            if let pairs = node.mapping, let pair = pairs.first(where: { $0.key.scalar?.text == step }) {
                if problem.atKey, index == problem.path.count - 1 { return pair.key.mark }
                node = pair.value
            } else if let items = node.sequence, let position = Int(step), items.indices.contains(position) {
                node = items[position]
            } else {
                break
            }
        }
        return node.mark
    }
}
