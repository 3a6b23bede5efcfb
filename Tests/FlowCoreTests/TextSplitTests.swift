import Testing
@testable import FlowCore

/// `split:` cuts a text into chunks under a token budget without losing or reordering a word.
@Suite struct TextSplitTests {
    func words(_ text: String) -> [Substring] { text.split(whereSeparator: { $0 == " " || $0 == "\n" }) }

    @Test func paragraphsArePackedWholeWhileTheyFit() {
        let text = "One two three.\n\nFour five six.\n\n\nSeven eight nine.\n"
        // 14 bytes a paragraph: two fit in 8 tokens (32 bytes with the blank line), three do not.
        let chunks = TextSplit(unit: .paragraphs, maxTokens: 8).chunks(text)
        #expect(chunks == ["One two three.\n\nFour five six.", "Seven eight nine."])
        #expect(TextSplit(unit: .paragraphs, maxTokens: 100).chunks(text).count == 1)
    }

    @Test func aParagraphOverTheBudgetIsCutAtSentencesThenSpacesThenAnywhere() {
        let long = (1...40).map { "Sentence number \($0) is here." }.joined(separator: " ")
        let split = TextSplit(unit: .paragraphs, maxTokens: 20)
        let chunks = split.chunks("Intro.\n\n" + long)
        #expect(chunks.allSatisfy { TextSplit.tokens($0) <= 20 }, "\(chunks.map { TextSplit.tokens($0) })")
        #expect(chunks.flatMap(words) == words("Intro.\n\n" + long), "no word lost, none moved")
        #expect(chunks.dropFirst().allSatisfy { $0.hasSuffix(".") }, "cut at sentence ends: \(chunks)")
        let unbroken = String(repeating: "x", count: 500)
        let cut = split.chunks(unbroken)
        #expect(cut.joined() == unbroken && cut.allSatisfy { TextSplit.tokens($0) <= 20 })
    }

    @Test func linesAreTheirOwnPieces() {
        let chunks = TextSplit(unit: .lines, maxTokens: 16).chunks("alpha beta\r\n\ngamma delta\nepsilon zeta eta theta iota kappa lambda mu\n")
        #expect(chunks.first == "alpha beta\ngamma delta")
        #expect(chunks.allSatisfy { TextSplit.tokens($0) <= 16 })
        #expect(chunks.flatMap(words).joined(separator: " ") == "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu")
    }

    @Test func emptyTextHasNoChunks() {
        #expect(TextSplit(unit: .paragraphs, maxTokens: 50).chunks("\n\n  \n").isEmpty)
    }
}
