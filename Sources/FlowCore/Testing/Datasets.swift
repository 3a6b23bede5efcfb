import FlowSource
import FlowTemplate
import FlowYAML

/// Rows of a dataset file as test inputs: JSON Lines (an object per line), CSV (a header row of
/// variable names) or YAML (a list of mappings). Pure: the loader reads the file.
public enum Datasets {
    /// The rows' variables, in order. Throws a diagnostic at the bad line.
    public static func rows(_ source: SourceFile) throws(Diagnostic) -> [[String: TemplateValue]] {
        let path = source.path.lowercased()
        if path.hasSuffix(".jsonl") { return try jsonLines(source) }
        if path.hasSuffix(".csv") { return try csv(source) }
        if path.hasSuffix(".yaml") || path.hasSuffix(".yml") { return try yaml(source) }
        throw Diagnostic(path: source.path, mark: nil, message: "a dataset must be .jsonl, .csv or .yaml")
    }

    static func jsonLines(_ source: SourceFile) throws(Diagnostic) -> [[String: TemplateValue]] {
        var rows: [[String: TemplateValue]] = []
        for (index, line) in source.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let json = try? JSON.parse(String(line)), case .map(let row) = TemplateValue(json) else {
                throw Diagnostic(source, Mark(line: index + 1, column: 1), "each line of a JSON Lines dataset must be a JSON object")
            }
            rows.append(row)
        }
        return rows
    }

    static func yaml(_ source: SourceFile) throws(Diagnostic) -> [[String: TemplateValue]] {
        guard let root = try YAML.load(source) else { return [] }
        guard let items = root.sequence else { throw Diagnostic(source, root.mark, "a YAML dataset must be a list of mappings") }
        return try items.map { item throws(Diagnostic) in
            guard item.mapping != nil, case .map(let row) = WorkflowDecoder.templateValue(item) else {
                throw Diagnostic(source, item.mark, "each row of a YAML dataset must be a mapping")
            }
            return row
        }
    }

    /// RFC 4180: commas, double quotes around fields that hold commas, quotes or line breaks.
    static func csv(_ source: SourceFile) throws(Diagnostic) -> [[String: TemplateValue]] {
        var records: [[String]] = []
        var field = "", record: [String] = [], quoted = false, line = 1
        var chars = source.text.makeIterator()
        var pending: Character? = nil
        while let char = pending ?? chars.next() {
            pending = nil
            if quoted {
                if char == "\"" {
                    let next = chars.next()
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else {
                    if char == "\n" { line += 1 }
                    field.append(char)
                }
                continue
            }
            switch char {
            case "\"" where field.isEmpty: quoted = true
            case ",": record.append(field); field = ""
            case "\n", "\r\n":
                record.append(field); field = ""
                records.append(record); record = []
                line += 1
            default: field.append(char)
            }
        }
        if quoted { throw Diagnostic(source, Mark(line: line, column: 1), "a quoted CSV field is never closed") }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        records.removeAll { $0 == [""] }
        guard let header = records.first else { return [] }
        return try records.dropFirst().enumerated().map { index, values throws(Diagnostic) in
            guard values.count == header.count else {
                throw Diagnostic(source, Mark(line: index + 2, column: 1), "row has \(values.count) fields, the header has \(header.count)")
            }
            var row: [String: TemplateValue] = [:]
            for (name, value) in zip(header, values) { row[name] = .string(value) }
            return row
        }
    }
}
