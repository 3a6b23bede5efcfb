import Foundation
import FlowCore
import FlowSource

/// The git commit of the workflow's tree and whether it had uncommitted changes, for the
/// transcript, so a result can be traced to the exact files. Absent outside a repository.
/// The commit is read from `.git` directly; only the dirty check runs git, and only inside a
/// repository, so a run outside one starts no process.
enum GitInfo {
    static func fields(for directory: String) -> [(String, JSON)] {
        guard let gitDirectory = findGitDirectory(from: directory), let commit = head(gitDirectory) else { return [] }
        let status = git(["status", "--porcelain", "--untracked-files=no"], in: directory) ?? ""
        return [("git_commit", .string(commit)), ("git_dirty", .bool(!status.isEmpty))]
    }

    static func findGitDirectory(from directory: String) -> String? {
        // Plain paths and stat(2): URL and FileManager here were a tenth of a mock run's start.
        guard let resolved = realpath(directory.isEmpty ? "." : directory, nil) else { return nil }
        var current = String(cString: resolved)
        free(resolved)
        for _ in 0..<64 {
            let candidate = (current == "/" ? "" : current) + "/.git"
            var info = stat()
            if stat(candidate, &info) == 0 {
                // A worktree or submodule has a `.git` file pointing elsewhere: leave those to git.
                return (info.st_mode & S_IFMT) == S_IFDIR ? candidate : nil
            }
            guard current != "/" else { return nil }
            current = PathText.directory(of: current)
        }
        return nil
    }

    /// HEAD's commit: a detached hash, or the ref it names (loose, else in packed-refs).
    static func head(_ gitDirectory: String) -> String? {
        guard let head = FileBytes.read(gitDirectory + "/HEAD").map({ String(decoding: $0, as: UTF8.self).trimmingWhitespace }) else { return nil }
        guard head.hasPrefix("ref: ") else { return head.count == 40 ? head : nil }
        let ref = String(head.dropFirst(5))
        if let loose = FileBytes.read(gitDirectory + "/" + ref) {
            return String(decoding: loose, as: UTF8.self).trimmingWhitespace
        }
        let packed = (try? String(contentsOfFile: gitDirectory + "/packed-refs", encoding: .utf8)) ?? ""
        for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
            return String(line.prefix(40))
        }
        return nil
    }

    private static func git(_ arguments: [String], in directory: String) -> String? {
        ChildProcess.output(["git", "-C", directory] + arguments)
    }
}
