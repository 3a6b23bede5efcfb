import Foundation
import FlowCore
import FlowSource

/// File arguments where a directory stands for the files in it with the given endings.
enum PathExpansion {
    static func files(_ paths: [String], endings: [String], recursive: Bool) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw TranscriptReader.ReadError(description: "\(path): error: no such file or directory")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let names = recursive
                ? FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
                : (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files += names.filter { name in endings.contains { name.hasSuffix($0) } }.sorted().map { path + "/" + $0 }
        }
        return files
    }

    /// Workflow files named or found below directories. A file named on the command line is
    /// taken as it is; a directory is walked (hidden directories such as .git and .flow left out)
    /// for YAML files that are workflows, those with a top-level `flow:` key, so a project root
    /// holding flow.config.yaml, datasets or CI files can be named. `skipped` lists the other
    /// YAML files found, for --verbose.
    static func workflows(_ paths: [String]) throws -> (files: [String], skipped: [String]) {
        var files: [String] = [], skipped: [String] = []
        for path in paths {
            // A file, or a name that does not exist, goes to the loader, whose error names it.
            // (stat, not FileManager: this runs at every start of validate, run and test.)
            guard FileBytes.kind(path) == .directory else {
                files.append(path)
                continue
            }
            var found: [String] = []
            let walker = FileManager.default.enumerator(atPath: path)
            while let name = walker?.nextObject() as? String {
                let last = (name as NSString).lastPathComponent
                if last.hasPrefix(".") || last == "node_modules" {
                    walker?.skipDescendants()
                    continue
                }
                if name.hasSuffix(".yaml") || name.hasSuffix(".yml") { found.append(name) }
            }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            for name in found.sorted() {
                let full = base == "." ? name : base + "/" + name
                if isWorkflow(full) { files.append(full) } else { skipped.append(full) }
            }
        }
        return (files, skipped)
    }

    /// Whether the file has a top-level `flow:` key: a line starting with it, before which only
    /// comments, blank lines and other top-level keys may stand. Read up to 64 KiB, not parsed.
    static func isWorkflow(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = String(decoding: (try? handle.read(upToCount: 64 << 10)) ?? Data(), as: UTF8.self)
        return head.split(separator: "\n", omittingEmptySubsequences: true).contains { line in
            line.hasPrefix("flow:") || line.hasPrefix("\"flow\":") || line.hasPrefix("'flow':")
        }
    }
}
