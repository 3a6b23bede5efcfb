/// The providers of one run, resolved once before anything is sent: one for every step and
/// every model the step can reach (its own, and each `retry` fallback), cassette wrapping and
/// retry reporting included. The interpreter only looks them up, so a key file is read once
/// per run, not once per request, and every key problem surfaces in preflight.
struct ProviderTable: Sendable {
    private var entries: [String: any ChatProvider] = [:]

    private static func key(step: String, model: ModelRef) -> String { step + "\u{0}" + model.description }

    subscript(step: String, model: ModelRef) -> (any ChatProvider)? {
        get { entries[Self.key(step: step, model: model)] }
        set { entries[Self.key(step: step, model: model)] = newValue }
    }
}
