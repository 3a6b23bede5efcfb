import Foundation
import FlowCore

/// `flow show`, `flow cost`, `flow diff`: read transcripts, print what the views compute. A
/// transcript that cannot be read is exit 66 with the reader's message.
enum RecordCommands {
    /// `flow show [TRANSCRIPT]`, `flow show --list`.
    static func show(_ arguments: ParsedArguments) -> Int32 {
        readingTranscripts {
            let runs = RunsDirectory.path(from: FileManager.default.currentDirectoryPath)
            if arguments.flags.contains("--list") {
                let recent = RunsDirectory.transcripts(in: runs).prefix(20).compactMap { try? TranscriptReader.read($0) }
                Terminal.out(recent.isEmpty ? "no runs in \(RunsDirectory.display(runs))\n"
                             : TranscriptViews.list(recent.map { transcript in
                                 var shown = transcript
                                 shown.path = RunsDirectory.display(transcript.path)
                                 return shown
                             }))
                return ExitStatus.ok
            }
            guard let path = arguments.positionals.first ?? RunsDirectory.transcripts(in: runs).first else {
                Terminal.err("error: no runs in \(RunsDirectory.display(runs)) yet\nhint: flow run FILE writes one; flow show PATH shows another\n")
                return ExitStatus.noInput
            }
            if let html = arguments.value("--html") { return ReportCommand.transcript(try TranscriptReader.read(path), to: html) }
            Terminal.out(TranscriptViews.show(try TranscriptReader.read(path), style: TerminalStyle.forStandardOutput()))
            return ExitStatus.ok
        }
    }

    /// `flow cost [PATHS]`.
    static func cost(_ arguments: ParsedArguments) -> Int32 {
        readingTranscripts {
            let paths = arguments.positionals.isEmpty ? [RunsDirectory.path(from: FileManager.default.currentDirectoryPath)] : arguments.positionals
            let transcripts = try PathExpansion.files(paths, endings: [".jsonl"], recursive: true).map(TranscriptReader.read)
            let tables = TranscriptViews.cost(transcripts, includeOffline: arguments.flags.contains("--include-replays"))
            Terminal.out(arguments.flags.contains("--json") ? TranscriptViews.costJSON(tables).pretty + "\n" : TranscriptViews.costTable(tables))
            return ExitStatus.ok
        }
    }

    /// `flow diff A B`: exit 1 when the runs differ.
    static func diff(_ arguments: ParsedArguments) -> Int32 {
        readingTranscripts {
            let (text, differs) = TranscriptViews.diff(try TranscriptReader.read(arguments.positionals[0]),
                                                       try TranscriptReader.read(arguments.positionals[1]))
            Terminal.out(text)
            return differs ? ExitStatus.failed : ExitStatus.ok
        }
    }

    private static func readingTranscripts(_ body: () throws -> Int32) -> Int32 {
        do {
            return try body()
        } catch {
            Terminal.err("\(error)\n")
            return ExitStatus.noInput
        }
    }
}
