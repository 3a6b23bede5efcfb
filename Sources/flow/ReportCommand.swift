import Foundation
import FlowCore

/// `flow report RESULTS.json…` and `flow show --html`: the single-file HTML page, from results
/// written by `flow test --json` (several are merged, as shards) or from one transcript.
enum ReportCommand {
    static func main(_ arguments: ParsedArguments) -> Int32 {
        guard let results = ResultsFiles.read(arguments.positionals,
                                              hint: "flow report takes the files written by 'flow test --json > FILE' (--traces adds the transcripts)") else {
            return ExitStatus.noInput
        }
        var baseline: [CaseResult]?
        if let path = arguments.value("--baseline") {
            baseline = ResultsFiles.read([path], hint: "--baseline takes a report written by 'flow test --json > FILE'")
            if baseline == nil { return ExitStatus.noInput }
        }
        let comparison = baseline.map { BaselineComparison(baseline: $0, current: results) }
        let header = ReportData.header(for: results, title: arguments.value("--title") ?? "flow test report",
                                       commit: commit(), date: ReportData.now())
        return write(HTMLReport.page(ReportData.json(results, comparison: comparison, baseline: baseline, header: header), title: header.title),
                     to: arguments.value("--output"))
    }

    /// `flow show --html PATH [TRANSCRIPT]`: one run on the same page, its transcript open.
    static func transcript(_ transcript: TranscriptReader.Transcript, to path: String) -> Int32 {
        let (result, header) = ReportData.run(transcript.events, path: transcript.path)
        let page = HTMLReport.page(ReportData.json([result], comparison: nil, header: header), title: header.title, openFirst: true)
        return write(page, to: path)
    }

    static func write(_ page: String, to path: String?) -> Int32 {
        guard let path, path != "-" else {
            Terminal.out(page)
            return ExitStatus.ok
        }
        do {
            try page.write(toFile: path, atomically: false, encoding: .utf8)
            Terminal.err("wrote \(path) (\(page.utf8.count / 1024) KB)\n")
            return ExitStatus.ok
        } catch {
            Terminal.err("error: cannot write '\(path)': \(error.localizedDescription)\n")
            return ExitStatus.software
        }
    }

    /// The commit of the repository around the current directory, when there is one (read from
    /// `.git`; the report needs no dirty check, which would start git).
    static func commit() -> String? {
        GitInfo.findGitDirectory(from: FileManager.default.currentDirectoryPath).flatMap(GitInfo.head)
    }
}
