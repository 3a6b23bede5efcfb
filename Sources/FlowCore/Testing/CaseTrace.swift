/// What a case's last run did, event by event, as its transcript would say it: kept for the
/// HTML report (`flow test --html`), where each cell opens onto its transcript.
public struct CaseTrace: Sendable {
    /// The events in order, each an object with its `type` first (docs/transcript.md), without the
    /// request's wire body and the provider's raw answer, which the report does not show.
    public var events: [JSON]

    /// A trace of `events`.
    public init(events: [JSON]) {
        self.events = events
    }

    /// Fields a report leaves out: the wire body repeats the messages, and `raw` is the whole answer.
    static let omitted: Set<String> = ["wire", "raw"]
}

/// A transcript kept in memory for one case run.
final class MemoryTranscript: TranscriptSink {
    private let events = Locked<[JSON]>([])

    func record(_ type: EventType, _ fields: [(String, JSON)]) {
        let event = JSON.object([("type", .string(type.rawValue))] + fields.filter { !CaseTrace.omitted.contains($0.0) })
        events.withLock { $0.append(event) }
    }

    var trace: CaseTrace { CaseTrace(events: events.current) }
}
