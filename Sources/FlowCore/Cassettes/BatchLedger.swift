import Foundation

/// The batches a run has submitted and not yet read, one small JSON file each under
/// `.flow/batches/`, so a run that is stopped (Ctrl-C, a crash, a closed laptop) and started
/// again picks up the batches in flight instead of paying for them twice, and `flow batch status`
/// and `flow batch cancel` can find them. A file is named by the digest of what the batch asks
/// (provider, model and its requests' keys): the same pending requests find the same batch.
public struct BatchLedger: Sendable {
    /// One submitted batch.
    public struct Entry: Sendable, Equatable {
        /// The digest of provider, model and keys: the file's name.
        public var digest: String
        /// The provider's name and the model.
        public var model: String
        /// The provider's batch id.
        public var batchID: String
        /// Requests in it.
        public var requests: Int
        /// The cassette its answers go into.
        public var cassette: String
        /// When it was submitted (UTC, ISO 8601).
        public var submittedAt: String
        /// The provider's state when last seen.
        public var state: String

        var json: JSON {
            .object([("digest", .string(digest)), ("model", .string(model)), ("batch_id", .string(batchID)),
                     ("requests", .int(requests)), ("cassette", .string(cassette)), ("submitted_at", .string(submittedAt)),
                     ("state", .string(state))])
        }

        init?(json: JSON) {
            guard let digest = json["digest"]?.string, let model = json["model"]?.string, let id = json["batch_id"]?.string else { return nil }
            self.init(digest: digest, model: model, batchID: id, requests: json["requests"]?.int ?? 0,
                      cassette: json["cassette"]?.string ?? "", submittedAt: json["submitted_at"]?.string ?? "",
                      state: json["state"]?.string ?? "")
        }

        /// An entry.
        public init(digest: String, model: String, batchID: String, requests: Int, cassette: String, submittedAt: String, state: String) {
            self.digest = digest
            self.model = model
            self.batchID = batchID
            self.requests = requests
            self.cassette = cassette
            self.submittedAt = submittedAt
            self.state = state
        }
    }

    /// The ledger's directory.
    public let directory: String

    /// The ledger in `directory` (created on first save).
    public init(directory: String) { self.directory = directory }

    /// The digest naming a batch of `keys` to `model`.
    public static func digest(model: String, keys: [String]) -> String {
        SHA256.hex(Array((model + "\n" + keys.sorted().joined(separator: "\n")).utf8))
    }

    /// The entry for `digest`, if that batch was submitted and not yet read.
    public func entry(_ digest: String) -> Entry? {
        guard let data = FileManager.default.contents(atPath: path(digest)), let json = try? JSON.parse([UInt8](data)) else { return nil }
        return Entry(json: json)
    }

    /// Every entry, oldest first.
    public func entries() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.compactMap { entry(String($0.dropLast(5))) }.sorted { $0.submittedAt < $1.submittedAt }
    }

    /// Saves `entry` (atomically, owner-only).
    public func save(_ entry: Entry) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try CassetteFile.replace(path(entry.digest), with: Data(entry.json.pretty.utf8))
    }

    /// Forgets a batch whose answers are in the cassette.
    public func remove(_ digest: String) {
        try? FileManager.default.removeItem(atPath: path(digest))
    }

    private func path(_ digest: String) -> String { directory + "/" + digest + ".json" }
}
