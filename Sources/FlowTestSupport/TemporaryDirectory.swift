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

    /// Copies the tree at `source` (files byte for byte) into the directory under `prefix`.
    public func copyTree(from source: String, under prefix: String = "") throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: path + "/" + prefix, withIntermediateDirectories: true)
        for file in try manager.subpathsOfDirectory(atPath: source) {
            var isDirectory: ObjCBool = false
            _ = manager.fileExists(atPath: source + "/" + file, isDirectory: &isDirectory)
            let target = path + "/" + prefix + file
            if isDirectory.boolValue {
                try manager.createDirectory(atPath: target, withIntermediateDirectories: true)
            } else {
                try manager.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(contentsOf: URL(fileURLWithPath: source + "/" + file)).write(to: URL(fileURLWithPath: target))
            }
        }
    }
}
