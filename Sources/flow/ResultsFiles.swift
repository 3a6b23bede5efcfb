import Foundation
import FlowCore

/// Results written by `flow test --json`, read back for `--baseline`, `--merge` and `flow report`.
enum ResultsFiles {
    /// The cases of every file in `paths`, in order; nil once a file cannot be read, having said
    /// which and `hint`.
    static func read(_ paths: [String], hint: String) -> [CaseResult]? {
        var results: [CaseResult] = []
        for path in paths {
            do {
                results += try TestReports.cases(fromJSON: try JSON.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))))
            } catch {
                Terminal.err("\(path): error: \(error)\nhint: \(hint)\n")
                return nil
            }
        }
        return results
    }
}
