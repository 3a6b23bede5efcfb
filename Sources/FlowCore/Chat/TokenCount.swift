/// Token counts as providers report them, checked: a count is a whole number from 0 to 2^40
/// (a trillion tokens, far past any real call), so a broken or hostile answer cannot make a
/// sum overflow, a cost go negative or a budget never trip. Anything else is a decode error
/// naming the field.
public enum TokenCount {
    /// 2^40: no real call comes near it, and sums of such counts cannot overflow.
    public static let maximum = 1 << 40

    /// The count at `field` of `usage`; 0 when absent or null.
    public static func read(_ usage: JSON?, _ field: String, provider: String) throws(ProviderError) -> Int {
        try read(value: usage?[field], field: field, provider: provider)
    }

    /// The count in `value` (0 when absent or null); `field` names it in the error.
    public static func read(value: JSON?, field: String, provider: String) throws(ProviderError) -> Int {
        guard let value, !value.isNull else { return 0 }
        guard let count = value.int, (0...maximum).contains(count) else {
            throw ProviderError(.decode, "\(provider)'s usage field '\(field)' is \(value.serialized.prefix(40)), "
                                + "not a token count from 0 to 2^40; the answer was not used")
        }
        return count
    }

    /// `a + b` that stops at Int.max instead of trapping, for totals over records flow did not
    /// write itself (transcripts given to flow cost); negative counts there count as 0.
    public static func add(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = max(0, a).addingReportingOverflow(max(0, b))
        return overflow ? Int.max : sum
    }
}
