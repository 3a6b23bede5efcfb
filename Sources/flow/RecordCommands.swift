import Foundation
import FlowCore

/// `flow show`, `flow cost`, `flow diff`: read transcripts, print what the views compute.
enum RecordCommands {
    static func main(_ name: String, _ arguments: ParsedArguments) -> Int32 {
        do {
            switch name {
            case "show":
                let transcript = try TranscriptReader.read(arguments.positionals[0])
                let color = isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
                Terminal.out(TranscriptViews.show(transcript, style: .init(color: color)))
                return ExitCode.ok
            case "cost":
                let paths = arguments.positionals.isEmpty ? [".flow/runs"] : arguments.positionals
                let transcripts = try files(paths).map(TranscriptReader.read)
                let tables = TranscriptViews.cost(transcripts)
                Terminal.out(arguments.flags.contains("--json") ? TranscriptViews.costJSON(tables).pretty + "\n" : TranscriptViews.costTable(tables))
                return ExitCode.ok
            default:
                let (text, differs) = TranscriptViews.diff(try TranscriptReader.read(arguments.positionals[0]),
                                                           try TranscriptReader.read(arguments.positionals[1]))
                Terminal.out(text)
                return differs ? ExitCode.failed : ExitCode.ok
            }
        } catch {
            Terminal.err("\(error)\n")
            return ExitCode.noInput
        }
    }

    /// The transcripts named, with directories searched for `.jsonl` files.
    static func files(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw TranscriptReader.ReadError(description: "\(path): error: no such file or directory")
            }
            if isDirectory.boolValue {
                let names = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
                files += names.filter { $0.hasSuffix(".jsonl") }.sorted().map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        return files
    }
}
