import FlowSource
import FlowYAML

/// A Prompty file's `inputs:`, in either form: Prompty 1's mapping `{name: {type, default,
/// sample}}` (or `{name: default}`), Prompty 2's list `[{name, kind, default, required}]`.
/// Rich kinds (`thread`, `image`, `file`, `audio`) are kept apart: they are not text.
struct PromptyInputs {
    struct Input {
        var name: String
        var kind: String
        var line: Int
    }

    var declared: [Input] = []
    var defaults: [String: Node] = [:]
    /// Names declared as lists (`type: array`, `kind: array`).
    var lists: Set<String> = []
    /// Inputs of a rich kind.
    var rich: [Input] { declared.filter { ["thread", "image", "file", "audio"].contains($0.kind) } }
    /// Whether the inputs are written the Prompty 2 way.
    var version2 = false

    init(_ node: Node?, note: (Int, String) -> Void) {
        var entries: [(String, Node?, Node)] = []
        if let items = node?.sequence {
            version2 = true
            for item in items {
                guard let name = item["name"]?.scalar?.text else {
                    note(item.mark.line, "an input without a name was not carried over")
                    continue
                }
                entries.append((name, item, item))
            }
        } else {
            for pair in node?.mapping ?? [] { entries.append((pair.key.scalar?.text ?? "", pair.value.mapping != nil ? pair.value : nil, pair.key)) }
        }
        for (name, spec, place) in entries {
            let kind = (spec?["kind"] ?? spec?["type"])?.scalar?.text ?? "string"
            if spec?["kind"] != nil { version2 = true }
            declared.append(Input(name: name, kind: kind, line: place.mark.line))
            if ["array", "list"].contains(kind) { lists.insert(name) }
            if let spec {
                if let value = spec["default"] { defaults[name] = value }
            } else if let value = node?[name], value.scalar != nil {
                defaults[name] = value
            }
        }
    }

    /// The `sample:` mapping, read from a file beside the prompty when it says `${file:…}`.
    static func sample(_ node: Node?, in source: SourceFile, readFile: (String) -> String?, note: (Int, String) -> Void) throws(DiagnosticList) -> [(String, Node)]? {
        guard let node else { return nil }
        if let pairs = node.mapping { return pairs.map { ($0.key.scalar?.text ?? "", $0.value) } }
        let text = node.scalar?.text ?? ""
        guard let match = text.wholeMatch(of: /\$\{file:([^}]+)\}/) else {
            note(node.mark.line, "a sample given as text is not read; only a mapping of variables (or ${file:sample.json}) is carried over")
            return nil
        }
        let path = String(match.1)
        guard let contents = readFile(path) else {
            throw DiagnosticList([Diagnostic(source, node.mark, "the sample names '\(path)', which cannot be read beside the prompty file", hint: "put \(path) beside the .prompty file, or write the sample as a mapping")])
        }
        do {
            guard let pairs = try YAML.load(SourceFile(path: path, text: contents))?.mapping else {
                note(node.mark.line, "the sample file '\(path)' is not a mapping of variables and was not carried over")
                return nil
            }
            return pairs.map { ($0.key.scalar?.text ?? "", $0.value) }
        } catch {
            throw DiagnosticList([error])
        }
    }
}
