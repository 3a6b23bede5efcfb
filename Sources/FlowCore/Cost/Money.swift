import Foundation

/// Money and counts as people read them. A call often costs a few millionths of a dollar, which
/// a fixed four decimals would print as `$0.0000`: amounts under a cent keep two significant
/// digits instead (`$0.000014`), larger ones four decimals at most, trailing zeros dropped.
public enum Money {
    /// `$0`, `$0.000014`, `$0.0021`, `$1.25`; "cost unknown" for nil (a model without a price).
    public static func text(_ amount: Double?) -> String {
        guard let amount else { return "cost unknown" }
        guard amount.isFinite else { return "$?" }
        if amount == 0 { return "$0" }
        let magnitude = abs(amount)
        let decimals = magnitude >= 0.01 ? 4 : min(12, Int(-floor(log10(magnitude))) + 1)
        var digits = String(format: "%.\(decimals)f", magnitude)
        if digits.contains(".") {
            while digits.hasSuffix("0") { digits.removeLast() }
            if digits.hasSuffix(".") { digits.removeLast() }
        }
        return (amount < 0 ? "-$" : "$") + digits
    }

    /// A signed change: `+$0.0012`, `-$0.000003`.
    public static func delta(_ amount: Double) -> String {
        amount >= 0 ? "+" + text(amount) : text(amount)
    }
}

/// "1 call", "2 calls".
public func counted(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(count) \(count == 1 ? singular : plural ?? singular + "s")"
}

extension String {
    /// The text right-aligned in `width` columns (as is when longer).
    public func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
