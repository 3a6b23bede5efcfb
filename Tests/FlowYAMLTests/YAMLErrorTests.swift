import FlowSource
import Testing
@testable import FlowYAML

/// Every error with its whole message: place, source line, caret and hint.
@Suite struct YAMLErrorTests {
    func error(_ text: String, limits: YAMLLimits = .default) -> String {
        do {
            _ = try YAML.load(SourceFile(path: "w.yaml", text: text), limits: limits)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func duplicateKeyIsReportedAtTheSecondKey() {
        #expect(error("name: a\nmodel: x\nname: b\n") == """
            w.yaml:3:1: error: duplicate key 'name' (first defined at 1:1)
            name: b
            ^
            hint: remove one of them; YAML keeps only one value per key
            """)
    }

    /// The family emoji is five Unicode scalars and one Character: libyaml counts scalars, and
    /// so must the caret, or it lands four places short.
    @Test func theCaretCountsScalarsAsTheColumnDoes() {
        #expect(error("x: {👨‍👩‍👧: 1, 👨‍👩‍👧: 2}\n") == """
            w.yaml:1:15: error: duplicate key '👨‍👩‍👧' (first defined at 1:5)
            x: {👨‍👩‍👧: 1, 👨‍👩‍👧: 2}
                          ^
            hint: remove one of them; YAML keeps only one value per key
            """)
    }

    @Test func quotedAndPlainKeysAreTheSameKey() {
        #expect(error("a: 1\n'a': 2\n").hasPrefix("w.yaml:2:1: error: duplicate key 'a'"))
        #expect(error("1: x\n'1': y\n") == "no error")
    }

    @Test func scannerErrorHasPlaceLineAndCaret() {
        // At the value that holds the colon, with the fix: libyaml's own words and place (1:5,
        // "mapping values are not allowed in this context") say neither.
        #expect(error("a: b: c\n") == """
            w.yaml:1:4: error: this value holds ': ' (a colon and a space), which YAML reads as the start of another key; a value with a colon must be quoted
            a: b: c
               ^
            hint: quote it: a: "b: c", or write it as a block: a: | and the text on the lines below, indented
            """)
        #expect(error("steps:\n  - id: a\n    user: Answer: yes or no\n").hasPrefix("w.yaml:3:11: error: this value holds ': '"))
    }

    @Test func parserErrorNamesItsContext() {
        #expect(error("steps:\n  - id: a\n  user: b\n") == """
            w.yaml:3:3: error: did not find expected '-' indicator (while parsing a block collection at 2:3)
              user: b
              ^
            """)
    }

    @Test func unclosedQuote() {
        // Where the quote opened, not the end of the file where libyaml gave up.
        #expect(error("a: \"open\nb: 1\n") == """
            w.yaml:1:4: error: this quoted value is never closed: the " opened here has no closing "
            a: "open
               ^
            hint: end the value with " on the line it belongs to, or, for text over several lines, use a block scalar (key: |)
            """)
    }

    @Test func tabIndentation() {
        #expect(error("a:\n\tb: 1\n") == """
            w.yaml:2:1: error: a tab indents this line; YAML indents with spaces only
            \tb: 1
            ^
            hint: replace the tab with spaces (two per level, as the rest of the file does)
            """)
    }

    @Test func unknownAlias() {
        #expect(error("a: &base 1\nb: *bsae\n") == """
            w.yaml:2:4: error: unknown alias '*bsae'
            b: *bsae
               ^
            hint: did you mean '*base'?
            """)
        #expect(error("b: *nowhere\n").hasSuffix("hint: define the anchor with '&nowhere' before this alias"))
    }

    @Test func secondDocumentIsRefused() {
        #expect(error("a: 1\n---\nb: 2\n") == """
            w.yaml:2:1: error: a workflow file holds one YAML document; a second one starts here
            ---
            ^
            hint: remove the '---' line or move the second document to its own file
            """)
    }

    @Test func aliasBombFailsFast() {
        var lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
        for (index, name) in "bcdefghij".enumerated() {
            let previous = Array("abcdefghij")[index]
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]")
        }
        let clock = ContinuousClock()
        var message = ""
        let elapsed = clock.measure { message = error(lines.joined(separator: "\n")) }
        // Level e is the first whose aliases add up past 100,000 nodes (d holds 11,111).
        #expect(message.hasPrefix("w.yaml:5:"))
        #expect(message.contains(": error: aliases expand to more than 100000 nodes\ne: &e [*d"))
        #expect(message.hasSuffix("hint: this looks like an alias bomb; reduce the nesting of aliases"))
        // Not a timing assertion of speed, a guard against expansion: a billion nodes would take minutes.
        #expect(elapsed < .seconds(5))
    }

    @Test func nestingDepthIsCapped() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(error(deep, limits: YAMLLimits(maxDepth: 50)) == """
            w.yaml:1:51: error: nesting deeper than 50 levels
            \(deep)
            \(String(repeating: " ", count: 50))^
            """)
    }

    @Test func documentSizeIsCapped() {
        #expect(error(String(repeating: "a", count: 2000), limits: YAMLLimits(maxDocumentBytes: 1000)) == """
            w.yaml: error: file is 2000 bytes, over the limit of 1000 bytes
            hint: split large data into a dataset file
            """)
    }
}
