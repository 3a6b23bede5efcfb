import Foundation

/// `format` checks for `format_assertion: true`; nil for a format flow does not check, which
/// the loader refuses beside `format_assertion` (`unchecked(in:)`): a check asked for must not
/// pass unread.
public enum SchemaFormats {
    /// The formats `check` knows.
    public static let checked = ["date", "time", "date-time", "email", "uuid", "ipv4", "ipv6", "uri", "regex", "hostname",
                                 "json-pointer", "relative-json-pointer", "duration"]

    static func check(_ format: String, _ text: String) -> Bool? {
        switch format {
        case "date": return date(text)
        case "time": return time(text)
        case "date-time":
            let parts = text.split(whereSeparator: { $0 == "T" || $0 == "t" }).map(String.init)
            return parts.count == 2 && check("date", parts[0]) == true && check("time", parts[1]) == true
        case "email": return email(text)
        case "uuid": return matches(#"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"#, text)
        case "ipv4": return matches(#"^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$"#, text)
        case "ipv6":
            var address = in6_addr()
            return !text.contains("%") && inet_pton(AF_INET6, text, &address) == 1
        case "uri": return uri(text)
        case "regex": return ECMARegex.compiled(text) != nil
        case "hostname": return hostname(text)
        case "json-pointer": return jsonPointer(text)
        case "relative-json-pointer":
            // A non-negative integer (no leading zero), then `#` or a JSON Pointer.
            guard let digits = text.firstIndex(where: { !$0.isASCII || !$0.isNumber }).map({ text[..<$0] }) ?? Optional(text[...]),
                  !digits.isEmpty, digits == "0" || digits.first != "0" else { return false }
            let rest = text[digits.endIndex...]
            return rest == "#" || jsonPointer(String(rest))
        case "duration":
            // RFC 3339 appendix A: weeks alone, or a date part and/or a time part, where each
            // unit may be followed only by the next smaller ones in turn (P1Y1D is not one).
            let date = #"(\d+Y(\d+M(\d+D)?)?|\d+M(\d+D)?|\d+D)"#, time = #"(T(\d+H(\d+M(\d+S)?)?|\d+M(\d+S)?|\d+S))"#
            return matches("^P(\(date)\(time)?|\(time)|\\d+W)$", text)
        default: return nil
        }
    }

    /// RFC 3339 full-date: a real day of a real month (leap years by the Gregorian rule).
    static func date(_ text: String) -> Bool {
        guard matches(#"^\d{4}-\d{2}-\d{2}$"#, text) else { return false }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        let (year, month, day) = (parts[0], parts[1], parts[2])
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...12).contains(month) && (1...days[month - 1]).contains(day)
    }

    /// RFC 3339 full-time with its offset; a leap second (`:60`) only where it falls at 23:59 UTC.
    static func time(_ text: String) -> Bool {
        let pattern = #"^([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(\.\d+)?([zZ]|([+-])([01]\d|2[0-3]):([0-5]\d))$"#
        guard matches(pattern, text) else { return false }
        let digits = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard digits[2] == 60 else { return true }
        var minutes = digits[0] * 60 + digits[1]
        if let sign = text.first(where: { $0 == "+" || $0 == "-" }) {
            let offset = digits[digits.count - 2] * 60 + digits[digits.count - 1]
            minutes += sign == "+" ? -offset : offset
        }
        return (minutes % 1440 + 1440) % 1440 == 23 * 60 + 59
    }

    /// RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 63 bytes
    /// a label, 253 in all; `--` in the third and fourth places only for an A-label (`xn--`),
    /// whose Punycode is not decoded (docs/workflow-format.md#json-schema).
    static func hostname(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
                && (label.dropFirst(2).prefix(2) != "--" || label.lowercased().hasPrefix("xn--"))
        }
    }

    /// RFC 5321 mailbox: a dot-atom or quoted local part, then a host name or an address
    /// literal (`[192.0.2.1]`, `[IPv6:…]`).
    static func email(_ text: String) -> Bool {
        guard let at = text.lastIndex(of: "@") else { return false }
        let local = String(text[..<at]), domain = String(text[text.index(after: at)...])
        let atom = #"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"#
        let localOK = matches("^\(atom)(\\.\(atom))*$", local) || matches(#"^"([^"\\\r\n]|\\.)*"$"#, local)
        guard localOK, local.utf8.count <= 64 else { return false }
        if domain.hasPrefix("["), domain.hasSuffix("]") {
            let literal = String(domain.dropFirst().dropLast())
            if literal.hasPrefix("IPv6:") { return check("ipv6", String(literal.dropFirst(5))) == true }
            return check("ipv4", literal) == true
        }
        return hostname(domain)
    }

    /// RFC 3986 absolute URI, by its characters: a scheme, then only unreserved, reserved and
    /// %XX-escaped characters, brackets only around an IP literal host.
    static func uri(_ text: String) -> Bool {
        let allowed = #"([A-Za-z0-9\-._~!$&'()*+,;=:@/?#]|%[0-9A-Fa-f]{2})"#
        return matches("^[A-Za-z][A-Za-z0-9+.\\-]*:(//(\(allowed.replacingOccurrences(of: "/?#", with: ""))*@)?(\\[[0-9A-Fa-f:.]+\\])?)?\(allowed)*$", text)
    }

    /// RFC 6901: empty, or `/`-separated tokens where `~` is only `~0` or `~1`.
    static func jsonPointer(_ text: String) -> Bool {
        guard text.isEmpty || text.hasPrefix("/") else { return false }
        return !matches(#"~([^01]|$)"#, text)
    }

    /// The `format` values in `schema` that `check` does not know, with the JSON Pointer of
    /// each, walking only where schemas are (not a property that happens to be called "format").
    public static func unchecked(in schema: JSON) -> [(pointer: String, format: String)] {
        var found: [(String, String)] = []
        func walk(_ node: JSON, _ pointer: String) {
            guard case .object(let pairs) = node else { return }
            for (key, value) in pairs {
                let here = pointer + "/" + key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
                if key == "format", let format = value.string, !checked.contains(format) { found.append((here, format)) }
                if SchemaCheck.schemaValued.contains(key) { walk(value, here) }
                if SchemaCheck.schemaLists.contains(key), let items = value.array {
                    for (index, item) in items.enumerated() { walk(item, here + "/\(index)") }
                }
                if SchemaCheck.schemaMaps.contains(key), case .object(let members) = value {
                    for (name, member) in members { walk(member, here + "/" + name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")) }
                }
            }
        }
        walk(schema, "#")
        return found
    }

    private static func matches(_ pattern: String, _ text: String) -> Bool { ECMARegex.found(pattern, in: text) }
}
