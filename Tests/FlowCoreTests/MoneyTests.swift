import Testing
@testable import FlowCore

/// Money as people read it: significant digits under a cent, never `$0.0000` for a real cost.
@Suite struct MoneyTests {
    @Test func smallAmountsKeepTwoSignificantDigits() {
        #expect(Money.text(0.000014) == "$0.000014")
        #expect(Money.text(0.00016335) == "$0.00016")
        #expect(Money.text(0.0020768) == "$0.0021")
        #expect(Money.text(0.0000162) == "$0.000016")
    }

    @Test func largerAmountsHaveAtMostFourDecimals() {
        #expect(Money.text(0.01) == "$0.01")
        #expect(Money.text(0.0146) == "$0.0146")
        #expect(Money.text(1.25) == "$1.25")
        #expect(Money.text(12) == "$12")
    }

    @Test func zeroUnknownAndSigns() {
        #expect(Money.text(0) == "$0")
        #expect(Money.text(nil) == "cost unknown")
        #expect(Money.text(-0.003) == "-$0.003")
        #expect(Money.delta(0.0012) == "+$0.0012")
        #expect(Money.delta(-0.000003) == "-$0.000003")
    }

    @Test func countsAgreeWithTheirNumber() {
        #expect(counted(1, "call") == "1 call")
        #expect(counted(2, "call") == "2 calls")
        #expect(counted(0, "case") == "0 cases")
    }
}
