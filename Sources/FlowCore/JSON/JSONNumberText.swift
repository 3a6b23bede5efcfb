import FlowTemplate

/// Numbers of a parsed answer as the model wrote them. JSON's numbers are values, so `5.50`
/// parses to 5.5 and a prompt that renders it back would say `5.5`: a price, a version or a
/// score changes its text on the way through. Template data from an answer keeps each number's
/// text instead (`TemplateValue.number`); records and checks keep the value. Pure.
enum JSONNumberText {
    /// The text of each number in `text`, in document order (strings skipped, escapes too).
    static func lexemes(in text: String) -> [String] {
        var found: [String] = []
        var inString = false, escaped = false
        var current = ""
        for character in text {
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
                continue
            }
            if character.isASCII, character.isNumber || "+-.eE".contains(character), !(current.isEmpty && "+.eE".contains(character)) {
                current.append(character)
                continue
            }
            if !current.isEmpty { found.append(current); current = "" }
            if character == "\"" { inString = true }
        }
        if !current.isEmpty { found.append(current) }
        return found
    }

    /// `json`, parsed from `text`, as template data whose fractional numbers keep their text.
    static func templateValue(_ json: JSON, text: String) -> TemplateValue {
        let lexemes = lexemes(in: text)
        var next = 0
        func convert(_ node: JSON) -> TemplateValue {
            switch node {
            case .int:
                next += 1
                return TemplateValue(node)
            case .double(let value):
                defer { next += 1 }
                guard next < lexemes.count, Double(lexemes[next]) == value else { return .double(value) }
                let plain = TemplateValue.double(value).interpolated
                return lexemes[next] == plain ? .double(value) : .number(lexemes[next])
            case .array(let items):
                return .list(items.map(convert))
            case .object(let pairs):
                var map: [String: TemplateValue] = [:]
                for (key, value) in pairs {
                    let converted = convert(value)
                    if map[key] == nil { map[key] = converted }
                }
                return .map(map)
            default:
                return TemplateValue(node)
            }
        }
        return convert(json)
    }
}
