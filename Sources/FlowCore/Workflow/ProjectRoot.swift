import Foundation
import FlowSource

/// The directory a workflow's file references must stay inside: the nearest directory above the
/// workflow holding `.git` or `flow.config.yaml`; without one, the current directory when the
/// workflow is inside it, else the directory above the workflow's.
struct ProjectRoot {
    let path: String

    init(workflowDirectory: String) {
        let start = Self.real(workflowDirectory)
        if let found = Self.nearest(from: start) {
            path = found
            return
        }
        let cwd = Self.real(FileBytes.currentDirectory())
        path = start.hasPrefix(cwd + "/") || start == cwd ? cwd : PathText.directory(of: start)
    }

    /// `path` absolute with links followed (realpath(3): plain strings, which every command
    /// pays for at start-up, where Foundation's URL walk cost a millisecond); URL's answer for
    /// a path that does not exist.
    static func real(_ path: String) -> String {
        guard let resolved = realpath(path.isEmpty ? "." : path, nil) else {
            return URL(fileURLWithPath: path.isEmpty ? "." : path).standardizedFileURL.resolvingSymlinksInPath().path
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The nearest directory at or above `directory` (links followed) holding `.git` or
    /// `flow.config.yaml`; nil outside any project.
    static func nearest(from directory: String) -> String? {
        var current = real(directory)
        for _ in 0..<64 {
            let base = current == "/" ? "" : current
            if access(base + "/.git", F_OK) == 0 || access(base + "/" + ProjectConfig.fileName, F_OK) == 0 { return current }
            let up = PathText.directory(of: current)
            if up == current { return nil }
            current = up
        }
        return nil
    }

    /// Whether `file` (after following links) lies inside the project.
    func contains(_ file: String) -> Bool {
        let real = Self.real(file)
        return path == "/" || real.hasPrefix(path + "/")
    }

    /// Whether `directory` (after following links) is the project or lies inside it.
    func contains(directory: String) -> Bool {
        let real = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath().path
        return real == path || contains(directory)
    }
}
