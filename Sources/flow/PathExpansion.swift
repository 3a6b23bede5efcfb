import Foundation
import FlowCore

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
}
