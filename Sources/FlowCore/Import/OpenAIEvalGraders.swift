import FlowSource
import FlowYAML

/// The `testing_criteria` of an OpenAI Evals platform eval as flow checks. A grader reads the
/// data row as `{{ item.x }}` and the model's answer as `{{ sample.output_text }}` (or a field of
/// `{{ sample.output_json }}`):
///
/// - `string_check` (`eq`, `ne`, `like` = contains, `ilike` = contains ignoring case) on the
///   answer or a JSON field of it becomes one concrete check per row, its reference rendered
///   with that row's item, so a row's expectation is exactly the platform's;
/// - `label_model` and `score_model` become a `judge:` with the grader's messages as the rubric;
/// - `text_similarity`, `python`, `multi` and anything else have no flow equivalent: listed.
struct OpenAIEvalGraders {
    /// A check each row gets, rendered from its item.
    struct RowCheck {
        var make: (JSON) -> JSON?
        var name: String
        /// The item fields its reference reads.
        var fields: [String]
    }

    var rowChecks: [RowCheck] = []
    /// `{judge: …}` lines for the dataset entry, templated over the row's fields.
    var judges: [String] = []
    /// The item fields the judges' rubrics read.
    var judgeFields: [String] = []

    init(_ criteria: Node?, note: (Int, String) -> Void) {
        for grader in criteria?.sequence ?? [] {
            let type = grader["type"]?.scalar?.text ?? ""
            let name = grader["name"]?.scalar?.text ?? type
            let line = grader.mark.line
            switch type {
            case "string_check":
                guard let check = Self.stringCheck(grader, name: name, note: note) else { continue }
                rowChecks.append(check)
            case "label_model", "score_model":
                guard let judge = Self.judge(grader, type: type, name: name, note: note) else { continue }
                judges.append(judge.line)
                for field in judge.fields where !judgeFields.contains(field) { judgeFields.append(field) }
            case "text_similarity":
                note(line, "grader '\(name)' (text_similarity, \(grader["evaluation_metric"]?.scalar?.text ?? "?")) has no flow equivalent and was not carried over")
            case "python":
                note(line, "grader '\(name)' runs Python, which flow does not; it was not carried over")
            default:
                note(line, "grader '\(name)' of type '\(type)' has no flow equivalent and was not carried over")
            }
        }
    }

    /// `{{ item.a.b }}` → the path `a.b`; `{{ sample.output_text }}` → "output_text"; nil for text.
    static func reference(_ text: String) -> (namespace: String, path: String)? {
        let trimmed = text.trimmingWhitespace
        guard trimmed.hasPrefix("{{"), trimmed.hasSuffix("}}") else { return nil }
        let inner = String(trimmed.dropFirst(2).dropLast(2)).trimmingWhitespace
        guard let dot = inner.firstIndex(of: "."), !inner.contains("{"), !inner.contains(" ") else { return nil }
        return (String(inner[..<dot]), String(inner[inner.index(after: dot)...]))
    }

    /// The value at a dotted path of an item.
    static func value(at path: String, in item: JSON) -> JSON? {
        var current: JSON? = item
        for key in path.split(separator: ".") { current = current?[String(key)] }
        return current
    }

    /// A template over `item.*` rendered for one row; nil when a name is missing.
    static func render(_ template: String, item: JSON) -> String? {
        var out = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else { return nil }
            let inner = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard inner.hasPrefix("item."), let value = value(at: String(inner.dropFirst(5)), in: item) else { return nil }
            out += value.string ?? value.serialized
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    /// The top-level item fields a template reads.
    static func itemFields(_ template: String) -> [String] {
        var fields: [String] = []
        var rest = Substring(template)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            let inner = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if inner.hasPrefix("item."), let top = inner.dropFirst(5).split(separator: ".").first { fields.append(String(top)) }
            rest = rest[close.upperBound...]
        }
        return fields
    }

    static func stringCheck(_ grader: Node, name: String, note: (Int, String) -> Void) -> RowCheck? {
        let line = grader.mark.line
        let input = grader["input"]?.scalar?.text ?? ""
        let operation = grader["operation"]?.scalar?.text ?? ""
        guard let reference = grader["reference"]?.scalar?.text else {
            note(line, "grader '\(name)' has no reference and was not carried over")
            return nil
        }
        guard ["eq", "ne", "like", "ilike"].contains(operation) else {
            note(line, "grader '\(name)' has operation '\(operation)', which is not eq, ne, like or ilike; it was not carried over")
            return nil
        }
        // What is checked: the answer's text, or a field of its JSON.
        var jsonPath: String?
        switch Self.reference(input).map({ "\($0.namespace).\($0.path)" }) {
        case "sample.output_text"?: break
        case let path? where path.hasPrefix("sample.output_json."): jsonPath = "$." + path.dropFirst("sample.output_json.".count)
        default:
            note(line, "grader '\(name)' checks '\(input)', not the answer ({{ sample.output_text }} or a field of {{ sample.output_json }}); it was not carried over")
            return nil
        }
        return RowCheck(make: { item in
            guard let expected = render(reference, item: item) else { return nil }
            let literal = YAMLText.literalPattern(expected)
            var check: [(String, JSON)]
            switch (operation, jsonPath) {
            case ("eq", nil), ("ne", nil): check = [("equals", .string(expected))]
            case ("like", nil): check = [("contains", .string(expected))]
            case ("ilike", nil): check = [("matches", .string("(?i)" + literal))]
            case ("eq", let path?), ("ne", let path?): check = [("json_path", .string(path)), ("equals", .string(expected))]
            case (_, let path?): check = [("json_path", .string(path)), ("matches", .string((operation == "ilike" ? "(?i)" : "") + literal))]
            default: check = []
            }
            return operation == "ne" ? .object([("not", .object(check))]) : .object(check)
        }, name: name, fields: Self.itemFields(reference))
    }

    static func judge(_ grader: Node, type: String, name: String, note: (Int, String) -> Void) -> (line: String, fields: [String])? {
        let line = grader.mark.line
        var fields: [String] = []
        var parts: [String] = []
        for message in grader["input"]?.sequence ?? [] {
            let content = message["content"]
            guard let text = content?.scalar?.text ?? content?["text"]?.scalar?.text else {
                note(message.mark.line, "grader '\(name)' has a message that is not text; it was not carried over")
                return nil
            }
            // The grader's template as Mustache over the row's fields.
            var out = ""
            var rest = Substring(text)
            while let open = rest.range(of: "{{") {
                out += rest[..<open.lowerBound]
                guard let close = rest[open.upperBound...].range(of: "}}") else { out += rest; rest = ""; break }
                let inner = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                if inner == "sample.output_text" {
                    out += "(the answer to grade, shown below)"
                } else if inner.hasPrefix("item."), !inner.contains(" ") {
                    let field = String(inner.dropFirst(5))
                    out += "{{" + field + "}}"
                    if let top = field.split(separator: ".").first.map(String.init), !fields.contains(top) { fields.append(top) }
                } else {
                    note(message.mark.line, "grader '\(name)' reads {{ \(inner) }}, which flow's judge is not given; it was not carried over")
                    return nil
                }
                rest = rest[close.upperBound...]
            }
            parts.append(out + rest)
        }
        guard !parts.isEmpty else {
            note(line, "grader '\(name)' has no input messages and was not carried over")
            return nil
        }
        var rubric = parts.joined(separator: "\n\n")
        let scale: String
        let pass: String
        if type == "label_model" {
            let labels = (grader["labels"]?.sequence ?? []).compactMap { $0.scalar?.text }
            let passing = (grader["passing_labels"]?.sequence ?? []).compactMap { $0.scalar?.text }
            guard !labels.isEmpty, !passing.isEmpty else {
                note(line, "grader '\(name)' has no labels or passing_labels and was not carried over")
                return nil
            }
            rubric += "\n\nLabel the answer with one of: " + labels.joined(separator: ", ") + ". Score 1 if the label is one of "
                + passing.joined(separator: ", ") + ", else 0."
            (scale, pass) = ("0-1", ">= 1")
        } else {
            let range = (grader["range"]?.sequence ?? []).compactMap { $0.scalar.flatMap { Double($0.text) } }
            let (low, high) = range.count == 2 && range[0] < range[1] ? (range[0], range[1]) : (0.0, 1.0)
            let threshold = grader["pass_threshold"]?.scalar.flatMap { Double($0.text) } ?? high
            // flow's judge scores in whole numbers: the grader's range as 0-10.
            let tenth = Int(((threshold - low) / (high - low) * 10).rounded(.up))
            rubric += "\n\nThe grader scored from \(Self.number(low)) to \(Self.number(high)); score on 0-10 instead, 0 for \(Self.number(low)) and 10 for \(Self.number(high))."
            (scale, pass) = ("0-10", ">= \(max(0, min(10, tenth)))")
            note(line, "grader '\(name)' (score_model) is a judge on 0-10 in flow; pass_threshold \(Self.number(threshold)) on \(Self.number(low))-\(Self.number(high)) is >= \(max(0, min(10, tenth)))")
        }
        let model = "openai/" + (grader["model"]?.scalar?.text ?? "gpt-4o-mini")
        note(line, "grader '\(name)' (\(type)) is flow's judge with the grader's messages as its rubric: the judge answers a score, where the platform's grader answered \(type == "label_model" ? "a label" : "its own score format")")
        return ("{judge: {rubric: " + YAMLText.quoted(rubric) + ", scale: \"\(scale)\", pass: \"\(pass)\", model: " + YAMLText.quoted(model) + "}}", fields)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
