import Foundation
import FlowCore

/// `flow report RESULTS.json…` and `flow show --html`: the single-file HTML page, from results
/// written by `flow test --json` (several are merged, as shards) or from one transcript.
enum ReportCommand {
    static func main(_ arguments: ParsedArguments) -> Int32 {
        var results: [CaseResult] = []
        for path in arguments.positionals {
            do {
                results += try TestReports.cases(fromJSON: try JSON.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))))
            } catch {
                Terminal.err("\(path): error: \(error)\nhint: flow report takes the files written by 'flow test --json > FILE' (--traces adds the transcripts)\n")
                return ExitCode.noInput
            }
        }
        var comparison: BaselineComparison?
        var baseline: [CaseResult]?
        if let path = arguments.value("--baseline") {
            do {
                let old = try TestReports.cases(fromJSON: try JSON.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))))
                comparison = BaselineComparison(baseline: old, current: results)
                baseline = old
            } catch {
                Terminal.err("\(path): error: \(error)\nhint: --baseline takes a report written by 'flow test --json > FILE'\n")
                return ExitCode.noInput
            }
        }
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
            return ExitCode.ok
        }
        do {
            try page.write(toFile: path, atomically: false, encoding: .utf8)
            Terminal.err("wrote \(path) (\(page.utf8.count / 1024) KB)\n")
            return ExitCode.ok
        } catch {
            Terminal.err("error: cannot write '\(path)': \(error.localizedDescription)\n")
            return ExitCode.software
        }
    }

    /// The commit of the repository around the current directory, when there is one.
    static func commit() -> String? {
        GitInfo.fields(for: FileManager.default.currentDirectoryPath).first { $0.0 == "git_commit" }?.1.string
    }
}
