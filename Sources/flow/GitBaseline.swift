import Foundation
import FlowCore

/// `--baseline git:REF`: the same workflows as they were at REF, replayed from the cassettes
/// committed then, so a pull request is compared with its target branch without an artifact.
/// The tree at REF is read with `git archive` into a temporary directory (nothing in the working
/// tree is touched) and removed afterwards.
enum GitBaseline {
    struct Failure: Error {
        var message: String
    }

    /// The cases of `files` at `ref`, named by their paths in this run so they compare.
    static func results(ref: String, files: [String], jobs: Int, environment: [String: String],
                        prices: PriceTable, traces: Bool = false) async throws(Failure) -> [CaseResult] {
        guard let top = ChildProcess.output(["git", "rev-parse", "--show-toplevel"])?.trimmingWhitespace, !top.isEmpty else {
            throw Failure(message: "--baseline git:\(ref) needs a git repository here")
        }
        guard ChildProcess.output(["git", "-C", top, "rev-parse", "--verify", "--quiet", ref + "^{commit}"]) != nil else {
            throw Failure(message: "--baseline git:\(ref): '\(ref)' is not a commit in \(top)")
        }
        let scratch = NSTemporaryDirectory() + "flow-baseline-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let tree = scratch + "/tree"
        do {
            try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        } catch {
            throw Failure(message: "cannot make a directory for the baseline: \(error.localizedDescription)")
        }
        guard ChildProcess.output(["git", "-C", top, "archive", "--format=tar", "-o", scratch + "/tree.tar", ref]) != nil,
              ChildProcess.output(["tar", "-xf", scratch + "/tree.tar", "-C", tree]) != nil else {
            throw Failure(message: "--baseline git:\(ref): git archive could not write the tree at \(ref)")
        }
        // Each file of this run at its place in the old tree; files that did not exist then have no baseline.
        var old: [String: String] = [:]
        let root = URL(fileURLWithPath: top).resolvingSymlinksInPath().path
        for file in files {
            let absolute = URL(fileURLWithPath: file).resolvingSymlinksInPath().path
            guard absolute.hasPrefix(root + "/") else { continue }
            let candidate = tree + "/" + absolute.dropFirst(root.count + 1)
            if FileManager.default.fileExists(atPath: candidate) { old[candidate] = file }
        }
        // Every variant the old workflows had: a variant new since then shows as added, not as a failure.
        let planned = (try? TestCommand.plan(Array(old.keys).sorted(), filter: nil, shard: nil).planned) ?? []
        var results: [CaseResult] = []
        for (loaded, cases) in planned where !cases.isEmpty {
            let base = loaded.source.path.hasSuffix(".yaml") ? String(loaded.source.path.dropLast(5)) : loaded.source.path
            let cassette = (try? CassetteStore.open(base + ".cassette.json")) ?? CassetteStore(path: base + ".cassette.json")
            var runner = TestRunner(loaded: loaded, environment: environment, transport: URLSessionTransport(), prices: prices,
                                    mode: .replay, record: false, cassette: cassette, jobs: jobs)
            // The report shows each cell's answer against the baseline's.
            runner.keepTraces = traces
            results += await runner.run(cases) { _ in }.map { result in
                var renamed = result
                renamed.workflow = old[loaded.source.path] ?? result.workflow
                return renamed
            }
        }
        return results
    }
}
