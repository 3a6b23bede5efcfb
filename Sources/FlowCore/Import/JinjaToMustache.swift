import Foundation

/// Jinja2 prompt bodies as Mustache, where Mustache can say the same: `{{ name }}` and
/// `{{ a.b }}`; `{% if x %}…{% else %}…{% endif %}` as a section and its inverse; `{% if not x %}`
/// as an inverted section; `{% for item in items %}…{% endfor %}` as a section over the list,
/// with `{{ item }}` → `{{.}}` and `{{ item.field }}` → `{{field}}` inside; `{# … #}` as a
/// comment. Anything else (filters, expressions, `elif`, `set`, macros) is kept visible as a
/// Mustache comment and reported at its line, never dropped silently.
enum JinjaToMustache {
    static func translate(_ text: String, firstLine: Int, note: (Int, String) -> Void) -> String {
        var out = ""
        var rest = Substring(text)
        var blocks: [(kind: String, name: String)] = []
        var loopVariables: [String] = []
        func line(_ at: Substring.Index) -> Int { firstLine + text[..<at].filter { $0 == "\n" }.count }
        while let open = rest.range(of: "{", options: .literal), open.upperBound < rest.endIndex {
            let next = rest[open.upperBound]
            guard "{%#".contains(next) else {
                out += rest[..<open.upperBound]
                rest = rest[open.upperBound...]
                continue
            }
            out += rest[..<open.lowerBound]
            let closer = next == "{" ? "}}" : next == "%" ? "%}" : "#}"
            let bodyStart = rest.index(after: open.upperBound)
            guard let close = rest[bodyStart...].range(of: closer) else {
                out += rest
                rest = rest[rest.endIndex...]
                break
            }
            let raw = String(rest[open.lowerBound..<close.upperBound])
            let body = rest[bodyStart..<close.lowerBound].trimmingCharacters(in: CharacterSet(charactersIn: " -+\t"))
            let at = line(open.lowerBound)
            rest = rest[close.upperBound...]
            func unsupported(_ why: String) {
                note(at, "\(why): `\(raw)` has no Mustache equivalent and is kept as a comment in the template")
                out += "{{! jinja: \(raw.replacingOccurrences(of: "}}", with: "} }")) }}"
            }
            switch next {
            case "#":
                out += "{{! \(body) }}"
            case "{":
                guard let name = simpleName(body) else { unsupported("an expression or filter"); continue }
                out += "{{" + loopName(name, loopVariables) + "}}"
            default:
                let words = body.split(separator: " ").map(String.init)
                switch words.first {
                case "if"? where words.count == 2 && simpleName(words[1]) != nil:
                    blocks.append(("if", loopName(words[1], loopVariables)))
                    out += "{{#" + loopName(words[1], loopVariables) + "}}"
                case "if"? where words.count == 3 && words[1] == "not" && simpleName(words[2]) != nil:
                    blocks.append(("ifnot", loopName(words[2], loopVariables)))
                    out += "{{^" + loopName(words[2], loopVariables) + "}}"
                case "else"? where blocks.last.map { $0.kind.hasPrefix("if") } == true:
                    let block = blocks.removeLast()
                    out += (block.kind == "if" ? "{{/\(block.name)}}{{^\(block.name)}}" : "{{/\(block.name)}}{{#\(block.name)}}")
                    blocks.append((block.kind == "if" ? "ifnot" : "if", block.name))
                case "endif"? where blocks.last.map { $0.kind.hasPrefix("if") } == true:
                    out += "{{/" + blocks.removeLast().name + "}}"
                case "for"? where words.count == 4 && words[2] == "in" && simpleName(words[1]) != nil && simpleName(words[3]) != nil:
                    blocks.append(("for", loopName(words[3], loopVariables)))
                    loopVariables.append(words[1])
                    out += "{{#" + loopName(words[3], loopVariables.dropLast().map { $0 }) + "}}"
                case "endfor"? where blocks.last?.kind == "for":
                    loopVariables.removeLast()
                    out += "{{/" + blocks.removeLast().name + "}}"
                default:
                    unsupported("a '\(words.first ?? "")' statement")
                }
            }
        }
        out += rest
        for block in blocks.reversed() {
            note(firstLine, "a '\(block.kind == "for" ? "for" : "if")' block over '\(block.name)' is not closed; it is closed at the end of the message")
            out += "{{/\(block.name)}}"
        }
        return out
    }

    /// `name` or `a.b.c`, nothing else.
    static func simpleName(_ text: String) -> String? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let valid = !parts.isEmpty && parts.allSatisfy { part in
            guard let first = part.first, first.isLetter || first == "_" else { return false }
            return part.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        }
        return valid ? text : nil
    }

    /// A name inside a loop: the loop variable is the current item (`.`), its fields plain names.
    static func loopName(_ name: String, _ loopVariables: [String]) -> String {
        guard let variable = loopVariables.last else { return name }
        if name == variable { return "." }
        if name.hasPrefix(variable + ".") { return String(name.dropFirst(variable.count + 1)) }
        return name
    }
}
