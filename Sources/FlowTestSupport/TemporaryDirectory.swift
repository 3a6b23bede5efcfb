import Foundation

/// A scratch directory removed when the value goes away. A suite (a struct, made once per
/// test) keeps one as a property, so each test's files are gone when it ends: `make test`
/// run again and again must not fill the machine's temporary directory.
public final class TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Creates `$TMPDIR/<prefix>-<uuid>`.
    public init(prefix: String = "flow-test") throws {
        path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `name` inside the directory.
    public func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8)
    }
}
