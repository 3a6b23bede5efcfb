import Foundation
import FlowSource
import FlowTemplate
import FlowYAML

/// Rows of a dataset file as test inputs: JSON Lines (an object per line), CSV (a header row of
/// variable names) or YAML (a list of mappings). Pure: the loader reads the file.
public enum Datasets {
    /// The dataset file at `path` as cases for `flow run --batch --dataset`: each row's variables,
    /// named by its `name` column or its row number, with no expectations.
    public static func cases(path: String) throws(LoadError) -> [TestCase] {
        let source = try WorkflowLoader.sourceFile(path: path, bytes: try WorkflowLoader.read(path, referencedAt: nil, from: nil))
        do {
            return try placedRows(source).enumerated().map { index, row in
                let name = row.0["name"].flatMap { if case .string(let text) = $0 { return text } else { return nil } } ?? "row \(index + 1)"
                return TestCase(name: name, mark: row.1, vars: row.0, mock: nil, expectations: [])
            }
        } catch {
            throw LoadError.invalid([error])
        }
    }

    /// The rows' variables, in order. Throws a diagnostic at the bad line.
    public static func rows(_ source: SourceFile) throws(Diagnostic) -> [[String: TemplateValue]] {
        try placedRows(source).map(\.0)
    }

    /// The rows with the place each starts, for errors in a row's own `expect`.
    public static func placedRows(_ source: SourceFile) throws(Diagnostic) -> [([String: TemplateValue], Mark)] {
        let path = source.path.lowercased()
        if path.hasSuffix(".jsonl") { return try jsonLines(source) }
        if path.hasSuffix(".csv") { return try csv(source).enumerated().map { ($1, Mark(line: $0 + 2, column: 1)) } }
        if path.hasSuffix(".yaml") || path.hasSuffix(".yml") { return try yaml(source) }
        throw Diagnostic(path: source.path, mark: nil, message: "a dataset must be .jsonl, .csv or .yaml")
    }

    /// Where a CSV header names `column` (line 1); nil for other formats, whose rows are placed.
    static func columnMark(_ column: String, in source: SourceFile) -> Mark? {
        guard source.path.lowercased().hasSuffix(".csv"), let header = source.text.split(separator: "\n").first else { return nil }
        var offset = 1
        for field in header.split(separator: ",", omittingEmptySubsequences: false) {
            let name = field.trimmingCharacters(in: CharacterSet(charactersIn: "\"\r"))
            if name == column { return Mark(line: 1, column: offset) }
            offset += field.count + 1
        }
        return nil
    }

    static func jsonLines(_ source: SourceFile) throws(Diagnostic) -> [([String: TemplateValue], Mark)] {
        var rows: [([String: TemplateValue], Mark)] = []
        for (index, line) in source.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let json = try? JSON.parse(String(line)), case .map(let row) = TemplateValue(json) else {
                throw Diagnostic(source, Mark(line: index + 1, column: 1), "each line of a JSON Lines dataset must be a JSON object")
            }
            rows.append((row, Mark(line: index + 1, column: 1)))
        }
        return rows
    }

    static func yaml(_ source: SourceFile) throws(Diagnostic) -> [([String: TemplateValue], Mark)] {
        guard let root = try YAML.load(source) else { return [] }
        guard let items = root.sequence else { throw Diagnostic(source, root.mark, "a YAML dataset must be a list of mappings") }
        return try items.map { item throws(Diagnostic) in
            guard item.mapping != nil, case .map(let row) = WorkflowDecoder.templateValue(item) else {
                throw Diagnostic(source, item.mark, "each row of a YAML dataset must be a mapping")
            }
            return (row, item.mark)
        }
    }

    /// A row's own `expect` list as YAML nodes, so the workflow decoder reads it like `tests:`.
    static func node(_ json: JSON, at mark: Mark) -> Node {
        switch json {
        case .array(let items): return Node(.sequence(items.map { node($0, at: mark) }), mark: mark)
        case .object(let pairs):
            return Node(.mapping(pairs.map { Pair(key: Node(.scalar(Scalar(text: $0.0, style: .plain)), mark: mark), value: node($0.1, at: mark)) }), mark: mark)
        case .string(let text): return Node(.scalar(Scalar(text: text, style: .doubleQuoted)), mark: mark)
        case .null: return Node(.scalar(Scalar(text: "null", style: .plain)), mark: mark)
        default: return Node(.scalar(Scalar(text: json.serialized, style: .plain)), mark: mark)
        }
    }

    /// RFC 4180: commas, double quotes around fields that hold commas, quotes or line breaks.
    static func csv(_ source: SourceFile) throws(Diagnostic) -> [[String: TemplateValue]] {
        let records = try csvRecords(source)
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

    /// The CSV's records, the header first, as written (RFC 4180 quoting).
    static func csvRecords(_ source: SourceFile) throws(Diagnostic) -> [[String]] {
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
        return records
    }
}
