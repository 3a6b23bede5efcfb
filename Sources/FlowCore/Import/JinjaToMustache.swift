import Foundation

/// Jinja2 prompt bodies as Mustache, where Mustache says exactly the same, and a placed refusal
/// where it cannot: an import that sends a different prompt than the original is worse than one
/// that stops and says why.
///
/// Carried: `{{ a }}`, `{{ a.b }}`, `{{ a["b"] }}`, `| default("x")` (the variable's default),
/// `| safe`; `if`/`elif`/`else` over truthiness, `not`, `and`, `is defined`, `| length > 0`;
/// `for x in list` (with its `else`); whitespace control (`{%-`, `-%}`); `{# … #}`.
/// A chat-history loop (`{{ m.role }}:` / `{{ m.content }}` lines) is not text at all but earlier
/// messages: it is taken out and reported as `history`, which the importer declares.
/// Refused: other filters, comparisons, `or`, `in`, `set`, macros, `loop.*`, and `if LIST`
/// (a Mustache section over a list repeats its body once per item) unless its body is the loop
/// over that list.
enum JinjaToMustache {
    struct Translation: Equatable {
        var text: String
        /// Top-level names read, in first-use order (loop variables and their fields excluded).
        var variables: [String] = []
        /// Defaults from `| default("…")`.
        var defaults: [String: String] = [:]
        /// Names only tested with `is defined`: they may be left out, so they default to "".
        var optional: [String] = []
        /// A chat-history loop: the list it reads, and whether only whitespace stood around it.
        var history: History?
    }

    struct History: Equatable {
        var name: String
        var aloneAtStart: Bool
        var aloneAtEnd: Bool
    }

    /// Why a construct cannot be carried, at its line.
    struct Refusal: Error, Equatable {
        var line: Int
        var reason: String
    }

    enum Token: Equatable {
        case text(String)
        case output(String, line: Int, raw: String)
        case statement(String, line: Int, raw: String)
    }

    /// The lists a body loops over or measures, so `if LIST` can be told from `if text`.
    static func lists(in text: String) -> Set<String> {
        var names: Set<String> = []
        for token in (try? tokens(text, firstLine: 1)) ?? [] {
            switch token {
            case .statement(let body, _, _):
                let words = normalized(body).split(separator: " ")
                if words.first == "for", words.count >= 4, words[2] == "in" { names.insert(String(words[3])) }
                if let range = body.range(of: #"([A-Za-z_][\w.]*)\s*\|\s*length"#, options: .regularExpression) {
                    names.insert(String(body[range].split(separator: "|")[0]).trimmingCharacters(in: .whitespaces))
                }
            default: continue
            }
        }
        return names
    }

    static func translate(_ text: String, firstLine: Int, lists: Set<String> = []) throws(Refusal) -> Translation {
        var translator = Translator(tokens: try tokens(text, firstLine: firstLine), lists: lists.union(Self.lists(in: text)), lastLine: firstLine)
        return try translator.run()
    }

    /// The body split into text, `{{ }}` and `{% %}` tokens, whitespace control applied and
    /// comments dropped (Jinja leaves no trace of them).
    static func tokens(_ text: String, firstLine: Int) throws(Refusal) -> [Token] {
        var tokens: [Token] = []
        var rest = Substring(text)
        var trimNext = false
        func line(_ at: Substring.Index) -> Int { firstLine + text[..<at].reduce(0) { $1 == "\n" ? $0 + 1 : $0 } }
        func appendText(_ piece: Substring) {
            var piece = piece
            if trimNext { piece = piece.drop { $0.isWhitespace }; trimNext = false }
            if !piece.isEmpty { tokens.append(.text(String(piece))) }
        }
        while let open = rest.range(of: "{", options: .literal) {
            let next = rest.index(after: open.lowerBound)
            guard next < rest.endIndex, "{%#".contains(rest[next]) else {
                appendText(rest[..<(next < rest.endIndex ? rest.index(after: next) : next)])
                rest = rest[(next < rest.endIndex ? rest.index(after: next) : next)...]
                continue
            }
            let kind = rest[next]
            appendText(rest[..<open.lowerBound])
            let closer = kind == "{" ? "}}" : kind == "%" ? "%}" : "#}"
            let bodyStart = rest.index(after: next)
            guard let close = rest[bodyStart...].range(of: closer) else {
                throw Refusal(line: line(open.lowerBound), reason: "'\(rest[open.lowerBound..<bodyStart])' is never closed with '\(closer)'")
            }
            var body = rest[bodyStart..<close.lowerBound]
            let raw = String(rest[open.lowerBound..<close.upperBound])
            if body.hasPrefix("-") {
                body = body.dropFirst()
                if case .text(let previous)? = tokens.last {
                    let kept = String(previous.reversed().drop { $0.isWhitespace }.reversed())
                    if kept.isEmpty { tokens.removeLast() } else { tokens[tokens.count - 1] = .text(kept) }
                }
            } else if body.hasPrefix("+") { body = body.dropFirst() }
            if body.hasSuffix("-") { body = body.dropLast(); trimNext = true } else if body.hasSuffix("+") { body = body.dropLast() }
            let at = line(open.lowerBound)
            rest = rest[close.upperBound...]
            let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
            switch kind {
            case "#": continue
            case "{": tokens.append(.output(trimmed, line: at, raw: raw))
            default:
                if trimmed == "raw" {
                    guard let end = rest.range(of: #"\{%-?\s*endraw\s*-?%\}"#, options: .regularExpression) else {
                        throw Refusal(line: at, reason: "'{% raw %}' is never closed with '{% endraw %}'")
                    }
                    let literal = rest[..<end.lowerBound]
                    if literal.contains("{{") { throw Refusal(line: at, reason: "a raw block holding '{{' cannot be said in a Mustache template") }
                    appendText(literal)
                    rest = rest[end.upperBound...]
                } else {
                    tokens.append(.statement(trimmed, line: at, raw: raw))
                }
            }
        }
        appendText(rest)
        return tokens
    }

    /// `a["b"]` and `a['b']` as `a.b`, runs of spaces as one.
    static func normalized(_ expression: String) -> String {
        var text = expression.replacingOccurrences(of: #"\[\s*["']([A-Za-z_]\w*)["']\s*\]"#, with: ".$1", options: .regularExpression)
        text = text.replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
        return text.trimmingCharacters(in: .whitespaces)
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
}

/// One pass over the tokens, keeping the open blocks.
private struct Translator {
    typealias Refusal = JinjaToMustache.Refusal

    /// A condition term as the Mustache tags that open and close it.
    struct Term {
        var name: String
        var inverted: Bool
        var open: String { (inverted ? "{{^" : "{{#") + name + "}}" }
        var close: String { "{{/" + name + "}}" }
        var negated: Term { Term(name: name, inverted: !inverted) }
    }

    enum Block {
        /// `if`: the tags that close what is open, innermost first; the current branch's terms.
        case condition(closes: [String], terms: [Term], line: Int)
        /// `if LIST` whose body is the loop over LIST: the if itself says nothing.
        case listGuard(name: String, inElse: Bool, line: Int)
        case loop(name: String, variable: String, inElse: Bool, line: Int)
    }

    let tokens: [JinjaToMustache.Token]
    let lists: Set<String>
    var lastLine: Int
    var out = ""
    var blocks: [Block] = []
    var result = JinjaToMustache.Translation(text: "")
    var index = 0

    init(tokens: [JinjaToMustache.Token], lists: Set<String>, lastLine: Int) {
        self.tokens = tokens
        self.lists = lists
        self.lastLine = lastLine
    }

    var loopVariables: [String] { blocks.compactMap { if case .loop(_, let variable, _, _) = $0 { variable } else { nil } } }

    mutating func run() throws(Refusal) -> JinjaToMustache.Translation {
        while index < tokens.count {
            switch tokens[index] {
            case .text(let text): out += text
            case .output(let expression, let line, let raw): lastLine = line; try output(expression, line: line, raw: raw)
            case .statement(let body, let line, let raw): lastLine = line; try statement(body, line: line, raw: raw)
            }
            index += 1
        }
        if let block = blocks.last {
            let (what, line): (String, Int) = switch block {
            case .condition(_, _, let line), .listGuard(_, _, let line): ("an 'if'", line)
            case .loop(_, _, _, let line): ("a 'for'", line)
            }
            throw Refusal(line: line, reason: "\(what) block is not closed inside this message (a block spanning role lines cannot be split into flow turns)")
        }
        result.text = out
        return result
    }

    /// A name as Mustache reads it where it stands: inside a loop the item is `.` and its
    /// fields plain names; a name from an outer loop cannot be reached from an inner one.
    mutating func read(_ name: String, line: Int, raw: String) throws(Refusal) -> String {
        let root = String(name.split(separator: ".")[0])
        if root == "loop" { throw Refusal(line: line, reason: "`\(raw)` reads Jinja's loop state (loop.index, loop.first…), which Mustache has no equivalent of") }
        let loops = loopVariables
        if let innermost = loops.last, root == innermost {
            return name == root ? "." : String(name.dropFirst(root.count + 1))
        }
        if loops.dropLast().contains(root) {
            throw Refusal(line: line, reason: "`\(raw)` reads an outer loop's item from inside an inner loop, which Mustache cannot name")
        }
        if !result.variables.contains(root) { result.variables.append(root) }
        return name
    }

    mutating func output(_ expression: String, line: Int, raw: String) throws(Refusal) {
        let expression = JinjaToMustache.normalized(expression)
        if let literal = Self.stringLiteral(expression) { out += literal; return }
        var parts = expression.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let name = JinjaToMustache.simpleName(parts.removeFirst()) else {
            throw Refusal(line: line, reason: "`\(raw)` is an expression, not a variable; Mustache can only insert a value as it is")
        }
        var fallback: String?
        for filter in parts {
            if filter == "safe" || filter == "string" { continue }
            if let argument = filter.firstMatch(of: /^(?:default|d)\(\s*(.*?)\s*(?:,\s*(?:true|True)\s*)?\)$/)?.1,
               let text = Self.stringLiteral(String(argument)) {
                fallback = text
                continue
            }
            throw Refusal(line: line, reason: "`\(raw)` applies the filter '\(filter)', which Mustache has no equivalent of; apply it to the value before passing it in")
        }
        let mustache = try read(name, line: line, raw: raw)
        if let fallback {
            guard !name.contains("."), mustache == name else {
                if fallback.isEmpty { out += "{{\(mustache)}}"; return }
                throw Refusal(line: line, reason: "`\(raw)` gives a field a default; flow defaults are per variable")
            }
            result.defaults[name] = fallback
        }
        out += "{{\(mustache)}}"
    }

    static func stringLiteral(_ text: String) -> String? {
        guard text.count >= 2, let quote = text.first, quote == "\"" || quote == "'", text.last == quote else { return nil }
        let inner = text.dropFirst().dropLast()
        guard !inner.contains(quote), !inner.contains("\\") else { return nil }
        return String(inner)
    }

    mutating func statement(_ body: String, line: Int, raw: String) throws(Refusal) {
        let body = JinjaToMustache.normalized(body)
        let keyword = String(body.prefix { !$0.isWhitespace })
        let rest = body.dropFirst(keyword.count).trimmingCharacters(in: .whitespaces)
        switch keyword {
        case "if": try openIf(rest, line: line, raw: raw)
        case "elif":
            guard case .condition(var closes, let terms, let start)? = blocks.last else { throw misplaced(raw, line) }
            guard terms.count == 1 else { throw Refusal(line: line, reason: "`\(raw)` follows an 'and' condition, whose opposite Mustache cannot say") }
            let next = try condition(rest, line: line, raw: raw)
            if next.contains(where: { lists.contains($0.name) && !$0.inverted }) { throw listCondition(raw, line) }
            out += closes.removeFirst() + terms[0].negated.open + next.map(\.open).joined()
            closes = next.reversed().map(\.close) + [terms[0].negated.close] + closes
            blocks[blocks.count - 1] = .condition(closes: closes, terms: next, line: start)
        case "else":
            switch blocks.last {
            case .condition(var closes, let terms, let start)?:
                guard terms.count == 1 else { throw Refusal(line: line, reason: "`\(raw)` follows an 'and' condition, whose opposite Mustache cannot say") }
                out += closes.removeFirst() + terms[0].negated.open
                blocks[blocks.count - 1] = .condition(closes: [terms[0].negated.close] + closes, terms: [], line: start)
            case .listGuard(let name, false, let start)?:
                out += "{{^\(name)}}"
                blocks[blocks.count - 1] = .listGuard(name: name, inElse: true, line: start)
            case .loop(let name, _, false, let start)?:
                // The else branch runs when the list is empty: no item is in scope there.
                out += "{{/\(name)}}{{^\(name)}}"
                blocks[blocks.count - 1] = .loop(name: name, variable: "", inElse: true, line: start)
            default: throw misplaced(raw, line)
            }
        case "endif":
            switch blocks.popLast() {
            case .condition(let closes, _, _)?: out += closes.joined()
            case .listGuard(let name, let inElse, _)?: if inElse { out += "{{/\(name)}}" }
            default: throw misplaced(raw, line)
            }
        case "for": try openFor(rest, line: line, raw: raw)
        case "endfor":
            guard case .loop(let name, _, _, _)? = blocks.popLast() else { throw misplaced(raw, line) }
            out += "{{/\(name)}}"
        default:
            throw Refusal(line: line, reason: "`\(raw)` is a '\(keyword)' statement, which Mustache has no equivalent of")
        }
    }

    func misplaced(_ raw: String, _ line: Int) -> Refusal {
        Refusal(line: line, reason: "`\(raw)` does not close a block opened in this message")
    }

    func listCondition(_ raw: String, _ line: Int) -> Refusal {
        Refusal(line: line, reason: "`\(raw)` tests a list; a Mustache section over a list repeats its body once per item, so only a test whose body is the loop over that list can be carried")
    }

    /// `a`, `not a`, `a is defined`, `a | length > 0`… joined by `and`.
    mutating func condition(_ text: String, line: Int, raw: String) throws(Refusal) -> [Term] {
        if text.contains(" or ") { throw Refusal(line: line, reason: "`\(raw)` uses 'or', which Mustache cannot say") }
        var terms: [Term] = []
        for part in text.components(separatedBy: " and ") {
            var words = part.trimmingCharacters(in: .whitespaces)
            var inverted = false
            while words.hasPrefix("not ") { inverted.toggle(); words = String(words.dropFirst(4)).trimmingCharacters(in: .whitespaces) }
            var name = words
            if let match = words.firstMatch(of: /^([\w.]+)\s+is\s+(not\s+)?defined$/) {
                name = String(match.1)
                if match.2 != nil { inverted.toggle() }
                if !name.contains("."), !result.optional.contains(name) { result.optional.append(name) }
            } else if let match = words.firstMatch(of: /^([\w.]+)\s*\|\s*length(?:\s*(>|>=|!=|==)\s*(\d+))?$/) {
                name = String(match.1)
                switch (match.2.map(String.init), match.3.map(String.init)) {
                case (nil, nil), (">", "0"), ("!=", "0"), (">=", "1"): break
                case ("==", "0"): inverted.toggle()
                default: throw Refusal(line: line, reason: "`\(raw)` compares a length with a number other than 0, which Mustache cannot say")
                }
            }
            guard JinjaToMustache.simpleName(name) != nil else {
                throw Refusal(line: line, reason: "`\(raw)` is a comparison or expression; Mustache tests only whether a value is empty")
            }
            terms.append(Term(name: try read(name, line: line, raw: raw), inverted: inverted))
        }
        return terms
    }

    mutating func openIf(_ text: String, line: Int, raw: String) throws(Refusal) {
        let terms = try condition(text, line: line, raw: raw)
        if terms.contains(where: { lists.contains($0.name) && !$0.inverted }) {
            // `{% if items %}{% for x in items %}…{% endfor %}{% endif %}`: the loop says it all.
            guard terms.count == 1, isGuardedLoop(over: terms[0].name) else { throw listCondition(raw, line) }
            blocks.append(.listGuard(name: terms[0].name, inElse: false, line: line))
            return
        }
        out += terms.map(\.open).joined()
        blocks.append(.condition(closes: terms.reversed().map(\.close), terms: terms, line: line))
    }

    /// Whether the tokens after this `if` are only whitespace, a loop over `name`, whitespace,
    /// then the `else` or `endif` of this `if`.
    func isGuardedLoop(over name: String) -> Bool {
        var at = index + 1
        func skipSpace() { while at < tokens.count, case .text(let text) = tokens[at], text.allSatisfy(\.isWhitespace) { at += 1 } }
        skipSpace()
        guard at < tokens.count, case .statement(let body, _, _) = tokens[at] else { return false }
        let words = JinjaToMustache.normalized(body).split(separator: " ")
        guard words.count == 4, words[0] == "for", words[2] == "in", words[3] == name else { return false }
        var depth = 0
        while at < tokens.count {
            if case .statement(let body, _, _) = tokens[at] {
                let first = body.split(separator: " ").first ?? ""
                if first == "for" { depth += 1 }
                if first == "endfor" { depth -= 1; if depth == 0 { break } }
            }
            at += 1
        }
        at += 1
        skipSpace()
        guard at < tokens.count, case .statement(let body, _, _) = tokens[at], ["else", "endif"].contains(body.trimmingCharacters(in: .whitespaces)) else { return false }
        return true
    }

    mutating func openFor(_ text: String, line: Int, raw: String) throws(Refusal) {
        let words = text.split(separator: " ").map(String.init)
        guard words.count == 3, words[1] == "in", let variable = JinjaToMustache.simpleName(words[0]), !variable.contains("."),
              let list = JinjaToMustache.simpleName(words[2]) else {
            throw Refusal(line: line, reason: "`\(raw)` is not a plain 'for item in list' (filters, tuples, ranges and conditions have no Mustache equivalent)")
        }
        if let end = historyLoopEnd(variable: variable) {
            guard end >= 0 else {
                throw Refusal(line: line, reason: "`\(raw)` writes role lines from its items in a shape flow cannot take; flow takes earlier turns as one history list written '{{ item.role }}:' then '{{ item.content }}'")
            }
            guard !list.contains("."), loopVariables.isEmpty, blocks.isEmpty else {
                throw Refusal(line: line, reason: "`\(raw)` writes chat messages from '\(list)', which flow can take only as a top-level history variable")
            }
            let before = out.allSatisfy(\.isWhitespace)
            let after = tokens[(end + 1)...].allSatisfy { if case .text(let text) = $0 { text.allSatisfy(\.isWhitespace) } else { false } }
            result.history = JinjaToMustache.History(name: list, aloneAtStart: before, aloneAtEnd: after)
            if !result.variables.contains(list) { result.variables.append(list) }
            index = end
            return
        }
        let name = try read(list, line: line, raw: raw)
        blocks.append(.loop(name: name, variable: variable, inElse: false, line: line))
        out += "{{#\(name)}}"
    }

    /// A loop whose body writes role lines (`{{ m.role }}:` then `{{ m.content }}`) makes chat
    /// messages: its `endfor` index; -1 for one that writes role lines any other way.
    func historyLoopEnd(variable: String) -> Int? {
        var at = index + 1
        var depth = 1
        var readsRole = false
        var onlyRoleAndContent = true
        var writesRoleLines = false
        while at < tokens.count {
            switch tokens[at] {
            case .statement(let body, _, _):
                let first = body.split(separator: " ").first ?? ""
                if first == "for" { depth += 1 }
                if first == "endfor" { depth -= 1 }
                if depth > 0 { onlyRoleAndContent = false }
            case .output(let expression, _, _):
                let name = JinjaToMustache.normalized(expression)
                if name == variable + ".role" { readsRole = true } else if name != variable + ".content" { onlyRoleAndContent = false }
            case .text(let text):
                if text.split(separator: "\n").contains(where: { PromptyBody.roleMarker($0) != nil }) { writesRoleLines = true }
                if !text.allSatisfy({ $0.isWhitespace || $0 == ":" || $0 == "#" }) { onlyRoleAndContent = false }
            }
            if depth == 0 { break }
            at += 1
        }
        guard readsRole || writesRoleLines else { return nil }
        return onlyRoleAndContent && readsRole ? at : -1
    }
}
