/// What a case's last run did, event by event, as its transcript would say it: kept for the
/// HTML report (`flow test --html`), where each cell opens onto its transcript.
public struct CaseTrace: Sendable {
    /// The events in order, each an object with its `type` first (docs/transcript.md), trimmed to
    /// what the report shows (`reportable`).
    public var events: [JSON]

    /// A trace of `events`.
    public init(events: [JSON]) {
        self.events = events
    }

    /// An event as the report shows it: what the header or the cell already says is left out
    /// (the workflow, its sha256 and start time, the step_start that the request repeats, the
    /// run's totals and output, zero token counts, the wire body that repeats the messages, the
    /// provider's raw answer), so thousands of transcripts stay small in memory and on the page.
    /// Nil for an event the report does not show.
    public static func reportable(_ event: JSON) -> JSON? {
        guard case .object(let pairs) = event, event["type"]?.string != nil else { return event }
        let dropped: Set<String>
        switch EventType(of: event) {
        case .stepStart?: return nil
        case .runStart?: dropped = ["workflow", "workflow_sha256", "name", "templates", "started_at", "git_commit", "git_dirty"]
        case .runEnd?: dropped = ["output", "totals"]
        default: dropped = []
        }
        return .object(pairs.compactMap { key, value in
            if dropped.contains(key) || alwaysDropped.contains(key) { return nil }
            if key == "usage", case .object(let counts) = value { return (key, .object(counts.filter { $0.1 != .int(0) })) }
            return (key, value)
        })
    }

    static let alwaysDropped: Set<String> = ["seq", "t_ms", "price_table", "transcript_format", "flow_version", "wire", "raw", "default"]
}

/// A transcript kept in memory for one case run.
final class MemoryTranscript: TranscriptSink {
    private let events = Locked<[JSON]>([])

    func record(_ type: EventType, _ fields: [(String, JSON)]) {
        // Trimmed as it comes: a suite of thousands keeps only what its report shows.
        guard let event = CaseTrace.reportable(.object([("type", .string(type.rawValue))] + fields)) else { return }
        events.withLock { $0.append(event) }
    }

    var trace: CaseTrace { CaseTrace(events: events.current) }
}
