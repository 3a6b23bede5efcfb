import Foundation
import FlowSource
import FlowCore

/// `flow init [DIR]`: a starter project that passes `flow validate` and `flow test` as written:
/// a config with commented provider entries, one workflow with a system prompt, a template file
/// and a mock test case, and a GitHub Actions workflow that runs `flow test`. Nothing that
/// exists is overwritten.
enum InitCommand {
    static func main(_ arguments: ParsedArguments) -> Int32 {
        let directory = arguments.positionals.first ?? "."
        let files = StarterProject.files
        let existing = files.map { directory + "/" + $0.path }.filter { FileManager.default.fileExists(atPath: $0) }
        guard existing.isEmpty else {
            Terminal.err("error: flow init would overwrite " + existing.joined(separator: ", ")
                         + "\nhint: nothing was written; run it in an empty directory, or move those files away\n")
            return ExitStatus.cantCreate
        }
        do {
            for file in files {
                let path = directory + "/" + file.path
                try FileManager.default.createDirectory(atPath: PathText.directory(of: path), withIntermediateDirectories: true)
                // withoutOverwriting: a file that appeared since the check is still not replaced.
                try Data(file.text.utf8).write(to: URL(fileURLWithPath: path), options: .withoutOverwriting)
            }
        } catch {
            Terminal.err("error: flow init could not write the project: \(error.localizedDescription)\n")
            return ExitStatus.cantCreate
        }
        let into = directory == "." ? "" : "cd \(directory) && "
        Terminal.out("""
            wrote \(files.map(\.path).joined(separator: ", "))
            next: \(into)flow test            # the mock case passes offline
                  flow run workflows/summarize.yaml
                  flow run workflows/summarize.yaml --model openai/gpt-4o-mini   # with OPENAI_API_KEY set

            """)
        return ExitStatus.ok
    }
}
