extension BuiltInProvider {
    /// Scripted replies: no key, no address, no wire format (the registry answers from its one
    /// `MockProvider`, so replies are served in order across steps).
    static let mock = BuiltInProvider(name: .mock, keyVariable: nil, baseURLVariable: nil, adapter: { _, _ in nil })
}
