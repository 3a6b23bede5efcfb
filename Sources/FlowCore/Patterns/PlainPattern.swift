/// Recognises patterns made only of constructs that ICU and ECMA-262 both accept, so that
/// `flow validate` can say a pattern is valid without compiling it. ICU's first compile in a
/// process builds its static Unicode sets, which was a third of an installed `flow validate`
/// (docs/performance.md); the patterns people write in `matches:` and `when:` are mostly plain.
///
/// The grammar is deliberately small and conservative: `true` means certainly valid, `false` means
/// only "not recognised here" — the caller then compiles the pattern to find out. A test feeds it
/// generated patterns and checks that every one it calls valid ICU compiles.
enum PlainPattern {
    /// Characters that stand for themselves outside a class.
    private static let literal: Set<UInt8> = Set(
        Array(UInt8(ascii: "a")...UInt8(ascii: "z")) + Array(UInt8(ascii: "A")...UInt8(ascii: "Z"))
            + Array(UInt8(ascii: "0")...UInt8(ascii: "9")) + Array(" _,:;!@%=/'\"<>~&`-".utf8))
    /// Characters that stand for themselves inside `[...]`.
    private static let classLiteral: Set<UInt8> = literal.subtracting(Array("-&~".utf8)).union(Array(".*+?()|$".utf8))
    /// What may follow a backslash: the shorthand classes, and punctuation escaped to be literal.
    private static let shorthand: Set<UInt8> = Set("dDwWsS".utf8)
    private static let escapedLiteral: Set<UInt8> = Set("\\^$.|?*+()[]{}/-".utf8)
    private static let assertion: Set<UInt8> = Set("bB".utf8)
    private static let nesting = 32

    /// Whether `pattern` is certainly a valid regular expression in both dialects.
    static func certainlyValid(_ pattern: String) -> Bool {
        // Foundation refuses an empty pattern, so it is not plain either.
        guard !pattern.isEmpty, pattern.utf8.count <= 1_000 else { return false }
        var reader = Reader(bytes: Array(pattern.utf8))
        return reader.alternation(depth: 0) && reader.atEnd
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index == bytes.count }
        var next: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func take(_ byte: Character) -> Bool {
            guard next == byte.asciiValue else { return false }
            index += 1
            return true
        }

        /// branch ('|' branch)*
        mutating func alternation(depth: Int) -> Bool {
            guard depth < PlainPattern.nesting, branch(depth: depth) else { return false }
            while take("|") {
                guard branch(depth: depth) else { return false }
            }
            return true
        }

        /// (anchor | atom quantifier?)* up to ')' , '|' or the end.
        mutating func branch(depth: Int) -> Bool {
            while let byte = next, byte != UInt8(ascii: "|"), byte != UInt8(ascii: ")") {
                if byte == UInt8(ascii: "^") || byte == UInt8(ascii: "$") {
                    index += 1
                    continue
                }
                if byte == UInt8(ascii: "\\"), index + 1 < bytes.count, PlainPattern.assertion.contains(bytes[index + 1]) {
                    index += 2
                    continue
                }
                guard atom(depth: depth) else { return false }
                quantifier()
            }
            return true
        }

        mutating func atom(depth: Int) -> Bool {
            guard let byte = next else { return false }
            index += 1
            switch byte {
            case UInt8(ascii: "."): return true
            case UInt8(ascii: "\\"): return escape()
            case UInt8(ascii: "["): return characterClass()
            case UInt8(ascii: "("):
                if take("?") { guard take(":") else { return false } }
                return alternation(depth: depth + 1) && take(")")
            default: return PlainPattern.literal.contains(byte)
            }
        }

        /// '*', '+' or '?', optionally made lazy by a second '?'. Counted repeats ({n,m}) are
        /// left to the compiler: their edge cases differ between the dialects.
        mutating func quantifier() {
            guard let byte = next, "*+?".utf8.contains(byte) else { return }
            index += 1
            _ = take("?")
        }

        mutating func escape() -> Bool {
            guard let byte = next else { return false }
            index += 1
            return PlainPattern.shorthand.contains(byte) || PlainPattern.escapedLiteral.contains(byte)
        }

        /// '[' '^'? item+ ']' where an item is a literal, an escape, or a range of two
        /// letters or digits of the same kind in order.
        mutating func characterClass() -> Bool {
            _ = take("^")
            var items = 0
            while let byte = next, byte != UInt8(ascii: "]") {
                index += 1
                if byte == UInt8(ascii: "\\") {
                    guard escape() else { return false }
                } else if PlainPattern.classLiteral.contains(byte) {
                    if next == UInt8(ascii: "-"), index + 1 < bytes.count, bytes[index + 1] != UInt8(ascii: "]") {
                        let high = bytes[index + 1]
                        guard Self.sameKind(byte, high), byte <= high else { return false }
                        index += 2
                    }
                } else {
                    return false
                }
                items += 1
            }
            return items > 0 && take("]")
        }

        static func sameKind(_ low: UInt8, _ high: UInt8) -> Bool {
            let kinds: [ClosedRange<UInt8>] = [UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                                               UInt8(ascii: "0")...UInt8(ascii: "9")]
            return kinds.contains { $0.contains(low) && $0.contains(high) }
        }
    }
}
