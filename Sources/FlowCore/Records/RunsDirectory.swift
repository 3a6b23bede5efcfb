import Foundation
import FlowSource

/// Where transcripts go: `.flow/runs` at the root of the project the command runs in (the
/// nearest directory at or above the current one holding `flow.config.yaml` or `.git`), from
/// whichever of its directories it starts, so every run of a project is in one place and
/// `flow show` finds the last one. Outside a project, under the current directory.
public enum RunsDirectory {
    /// The runs directory for work started in `directory`.
    public static func path(from directory: String) -> String {
        (ProjectRoot.nearest(from: directory) ?? FileBytes.currentDirectory()) + "/.flow/runs"
    }

    /// `path` as the user would type it from the current directory: relative when it is below it.
    public static func display(_ path: String) -> String {
        let cwd = FileBytes.currentDirectory()
        return path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
    }

    /// Makes `.flow/` hold a `.gitignore` of `*`, so runs stay out of commits. Returns a warning,
    /// once, when the project's git would otherwise have tracked them (the first run that adds it).
    public static func ignoreInGit(runs: String) -> String? {
        let flowDirectory = PathText.directory(of: runs)
        let marker = flowDirectory + "/.gitignore"
        guard FileBytes.kind(marker) == nil else { return nil }
        try? FileManager.default.createDirectory(atPath: flowDirectory, withIntermediateDirectories: true)
        let written = FileManager.default.createFile(atPath: marker, contents: Data("# Written by flow: runs and batches stay out of git.\n*\n".utf8))
        let project = PathText.directory(of: flowDirectory)
        guard FileManager.default.fileExists(atPath: project + "/.git"), !gitignoreCovers(project) else { return nil }
        return written
            ? "warning: \(display(flowDirectory))/ was not ignored by git; flow wrote \(display(marker)) so transcripts stay out of commits"
            : "warning: \(display(flowDirectory))/ is not ignored by git: add '.flow/' to .gitignore so transcripts stay out of commits"
    }

    /// Whether the project's own .gitignore names `.flow`.
    static func gitignoreCovers(_ project: String) -> Bool {
        guard let text = try? String(contentsOfFile: project + "/.gitignore", encoding: .utf8) else { return false }
        return text.split(separator: "\n").contains { line in
            let entry = line.trimmingCharacters(in: .whitespaces)
            return [".flow", ".flow/", "/.flow", "/.flow/", ".flow/*", ".flow/runs", ".flow/runs/"].contains(entry)
        }
    }

    /// Transcripts in `runs`, newest first (names start with a UTC timestamp).
    public static func transcripts(in runs: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") }.sorted(by: >).map { runs + "/" + $0 }
    }
}
