/// The fields of the events that describe a whole run (its path, its totals), built from the
/// interpreter's own values: they live with the engine, so the records folder needs nothing of it.
enum RunEvents {
    static func path(_ path: [PathEntry]) -> JSON {
        .array(path.map { .object([("step", .string($0.step)), ("finish_reason", .string($0.reason)), ("action", .string($0.action))]) })
    }

    static func totals(_ result: RunResult) -> JSON {
        let totals = result.totals
        return .object([
            ("calls", .int(result.steps.count)),
            ("input_tokens", .int(totals.inputTokens)),
            ("output_tokens", .int(totals.outputTokens)),
            ("cost_usd", result.costUSD.map(JSON.double) ?? .null),
        ] + (result.offlineCalls == 0 ? [] : [
            ("offline_calls", .int(result.offlineCalls)),
            ("recorded_cost_usd", result.recordedCostUSD.map(JSON.double) ?? .null),
        ]))
    }
}
