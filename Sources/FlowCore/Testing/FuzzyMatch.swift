/// The `fuzzy_match` check, as OpenAI's evals (and SQuAD's scorer before it) compare answers:
/// both texts lowercased, ASCII punctuation removed, the words "a", "an" and "the" removed,
/// whitespace collapsed; then one must contain the other. Two texts that normalize to nothing
/// match only each other.
public enum FuzzyMatch {
    public static func holds(_ answer: String, _ reference: String) -> Bool {
        let a = normalized(answer), b = normalized(reference)
        if a.isEmpty || b.isEmpty { return a == b }
        return a.contains(b) || b.contains(a)
    }

    /// The text as the comparison sees it.
    public static func normalized(_ text: String) -> String {
        let punctuation = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
        let kept = String(text.lowercased().filter { !punctuation.contains($0) })
        // Articles go only as whole words (a regex \b on each side: a word is a run of letters,
        // digits and underscores), each leaving a space the collapse below absorbs.
        var current = ""
        var pieces: [String] = []
        for character in kept {
            if character.isLetter || character.isNumber || character == "_" { current.append(character); continue }
            if !current.isEmpty { pieces.append(current); current = "" }
            pieces.append(String(character))
        }
        if !current.isEmpty { pieces.append(current) }
        let rejoined = pieces.map { ["a", "an", "the"].contains($0) ? " " : $0 }.joined()
        return rejoined.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
