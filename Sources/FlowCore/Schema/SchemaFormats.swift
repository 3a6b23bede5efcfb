import Foundation

/// `format` checks for `format_assertion: true`; nil for a format flow does not check (which
/// stays an annotation).
enum SchemaFormats {
    static func check(_ format: String, _ text: String) -> Bool? {
        switch format {
        case "date": return matches(#"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"#, text)
        case "time": return matches(#"^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([zZ]|[+-]([01]\d|2[0-3]):[0-5]\d)$"#, text)
        case "date-time":
            let parts = text.split(whereSeparator: { $0 == "T" || $0 == "t" }).map(String.init)
            return parts.count == 2 && check("date", parts[0]) == true && check("time", parts[1]) == true
        case "email": return matches(#"^[^@\s]+@[^@\s]+\.[^@\s]+$"#, text)
        case "uuid": return matches(#"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"#, text)
        case "ipv4": return matches(#"^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$"#, text)
        case "ipv6":
            var address = in6_addr()
            return !text.contains("%") && inet_pton(AF_INET6, text, &address) == 1
        case "uri": return URL(string: text)?.scheme.map { !$0.isEmpty } ?? false && !text.contains(" ")
        case "regex": return ECMARegex.compiled(text) != nil
        default: return nil
        }
    }

    private static func matches(_ pattern: String, _ text: String) -> Bool { ECMARegex.found(pattern, in: text) }
}
