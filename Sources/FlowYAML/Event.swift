import FlowSource

/// A libyaml parse event turned into Swift values at the C boundary.
enum Event {
    case streamStart
    case streamEnd
    case documentStart(Mark)
    case documentEnd
    case alias(anchor: String, Mark)
    case scalar(Scalar, anchor: String?, tag: String?, Mark)
    case sequenceStart(anchor: String?, tag: String?, style: CollectionStyle, Mark)
    case sequenceEnd
    case mappingStart(anchor: String?, tag: String?, style: CollectionStyle, Mark)
    case mappingEnd
}

/// The failure libyaml reports: its message and where it happened (1-based).
struct ParserFailure: Error {
    var message: String
    var mark: Mark
    /// libyaml's own words, apart, for `SyntaxAdvice`: what went wrong, and what it was reading.
    var problem = ""
    var context: String?
    var contextMark: Mark?
}
