import Foundation
import FlowSource

/// The secret values this process knows: API keys from the environment and key files, and
/// passwords in configured base URLs. Every record and message flow writes or prints passes
/// through `Redaction.text`, which replaces them wherever they appear, so a key a provider
/// echoes back ("Incorrect API key provided: sk-…") or a server puts in a body never lands in a
/// transcript, a cassette, a report or the terminal.
public enum Secrets {
    static let values = Locked<Set<String>>([])

    /// Values shorter than this are not taken as secrets: replacing them would mangle text.
    public static let minimumLength = 8

    /// Remembers `value` as a secret (values under `minimumLength` are ignored).
    public static func register(_ value: String) {
        let trimmed = value.trimmingWhitespace
        guard trimmed.count >= minimumLength else { return }
        values.withLock { _ = $0.insert(trimmed) }
    }

    /// Registers the values of variables whose names say they hold a secret (`*KEY*`, `*TOKEN*`,
    /// `*SECRET*`, `*PASSWORD*`, `*PAT`, in any case), and passwords in `*_BASE_URL` values.
    public static func register(environment: [String: String]) {
        for (name, value) in environment { register(variable: name, value: value) }
    }

    /// One variable of the environment, judged as `register(environment:)` does; the start-up
    /// path reads `environ` entry by entry without building a dictionary.
    public static func register(variable name: String, value: String) {
        // Bytes, not Foundation's `contains`: this runs for every variable at every start.
        let upper = Array(name.utf8.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 32 : $0 })
        if secretWords.contains(where: { upper.contains($0) }) || upper.ends(with: Array("_PAT".utf8)) {
            register(value)
        }
        if upper.ends(with: Array("_URL".utf8)), value.utf8.contains(UInt8(ascii: "@")) { registerPassword(inURL: value) }
    }

    private static let secretWords = ["KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL"].map { Array($0.utf8) }

    /// The user-info password of `url` (`http://user:PASSWORD@host`), if any.
    public static func registerPassword(inURL url: String) {
        guard let components = URLComponents(string: url) else { return }
        if let password = components.password { register(password) }
        if let user = components.user, components.password == nil { register(user) }
    }

    static var current: Set<String> { values.current }
}

/// Takes secrets out of what flow writes and prints.
public enum Redaction {
    /// What a secret is replaced with.
    public static let marker = "[redacted]"

    /// Query parameters whose values are credentials.
    static func isSecretParameter(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["key", "code", "sig", "signature"].contains(lower)
            || ["api_key", "api-key", "apikey", "token", "secret", "password", "credential"].contains(where: lower.contains)
    }

    /// A URL fit to record or print: user-info removed (`http://u:KEY@host` → `http://[redacted]@host`)
    /// and the values of key-like query parameters replaced.
    public static func url(_ url: String) -> String {
        var out = url
        if let scheme = out.range(of: "://") {
            let rest = out[scheme.upperBound...]
            let authorityEnd = rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                out = String(out[..<scheme.upperBound]) + marker + String(rest[at...])
            }
        }
        guard let question = out.firstIndex(of: "?") else { return text(out) }
        let query = out[out.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map { part -> String in
            let pieces = part.split(separator: "=", maxSplits: 1)
            guard pieces.count == 2 else { return String(part) }
            return isSecretParameter(String(pieces[0])) ? "\(pieces[0])=\(marker)" : String(part)
        }
        return text(String(out[...question]) + query.joined(separator: "&"))
    }

    /// Key-shaped strings: OpenAI (`sk-…`, `sk-proj-…`), Anthropic (`sk-ant-…`), Google (`AIza…`),
    /// GitHub tokens (`ghp_…`, `github_pat_…`), wherever they stand, inside JSON strings too.
    static let keyShapes: NSRegularExpression = {
        // The pattern is fixed and valid; try! cannot fail.
        try! NSRegularExpression(pattern: #"(sk-[A-Za-z0-9_\-]{16,}|AIza[0-9A-Za-z_\-]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"#)
    }()

    private static let keyPrefixes = ["sk-", "AIza", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"].map { Array($0.utf8) }

    /// `text` with every registered secret and every key-shaped string replaced.
    public static func text(_ text: String) -> String {
        // Searched as UTF-8 bytes: every transcript line and cassette body passes here, and
        // Foundation's `contains`/`replacingOccurrences` bridge each call through NSString. A
        // whole UTF-8 sequence found in UTF-8 text starts and ends on character boundaries, so
        // replacing bytes keeps the text valid.
        var bytes = Array(text.utf8)
        var changed = false
        for secret in Secrets.current {
            let needle = Array(secret.utf8)
            guard bytes.firstOffset(of: needle) != nil else { continue }
            bytes = bytes.replacingBytes(needle, with: Array(marker.utf8))
            changed = true
        }
        let out = changed ? String(decoding: bytes, as: UTF8.self) : text
        // The regex runs only where a key's prefix appears (most lines hold none).
        guard keyPrefixes.contains(where: { bytes.firstOffset(of: $0) != nil }) else { return out }
        let range = NSRange(out.startIndex..., in: out)
        return keyShapes.stringByReplacingMatches(in: out, range: range, withTemplate: marker)
    }
}
