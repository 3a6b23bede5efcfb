import Foundation
import Testing
@testable import FlowCore

/// `PlainPattern` lets validation skip compiling a pattern, so it must never call valid what the
/// engine refuses: generated patterns over the characters that matter are checked against ICU and
/// against the ECMA-262 translation.
@Suite struct PlainPatternTests {
    /// A fixed-seed generator, so a failure names a pattern that reproduces.
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func neverCallsValidWhatTheEngineRefuses() {
        let alphabet = Array("ab0Z9-^$.|?*+()[]\\:dwsbB{}&~/ ")
        var random = SplitMix(state: 20_261_203)
        var recognised = 0
        var wrong: Set<String> = []
        for _ in 0..<40_000 {
            let length = Int(random.next() % 9)
            let pattern = String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            guard PlainPattern.certainlyValid(pattern) else { continue }
            recognised += 1
            if (try? NSRegularExpression(pattern: pattern)) == nil || (try? NSRegularExpression(pattern: ECMARegex.translate(pattern))) == nil {
                wrong.insert(pattern)
            }
        }
        #expect(wrong.count == 0, "called valid but refused by the engine: \(wrong.sorted().prefix(20))")
        // The generator must reach the recogniser's valid side often enough to mean something.
        #expect(recognised > 2_000, "only \(recognised) generated patterns were recognised")
    }

    @Test(arguments: ["^Exercise:", "\\d+ items?", "[A-Z][a-z]*", "(?:yes|no)$", "^\\s*$", "a.b\\.c", "[^,]+,[0-9a-f]"])
    func commonPatternsAreRecognised(_ pattern: String) {
        #expect(PlainPattern.certainlyValid(pattern))
    }

    @Test(arguments: ["[", "(", "a)", "*a", "a**", "[z-a]", "(?<n>a)", "(?i)refund", "a{2}", "\\p{L}", "[[:alpha:]]", "é", ""])
    func otherPatternsAreLeftToTheCompiler(_ pattern: String) {
        #expect(!PlainPattern.certainlyValid(pattern))
    }

    @Test func validationStillRefusesWhatTheRecogniserLeavesOut() {
        #expect(Regex.isValid("(?i)refund"))
        #expect(!Regex.isValid("(unclosed"))
        #expect(!Regex.isValid("[z-a]", dialect: .ecma))
    }
}
