import Foundation

/// The directory a workflow's file references must stay inside: the nearest directory above the
/// workflow holding `.git` or `flow.config.yaml`; without one, the current directory when the
/// workflow is inside it, else the directory above the workflow's.
struct ProjectRoot {
    let path: String

    init(workflowDirectory: String) {
        let start = URL(fileURLWithPath: workflowDirectory.isEmpty ? "." : workflowDirectory).standardizedFileURL.resolvingSymlinksInPath()
        if let found = Self.nearest(from: start.path) {
            path = found
            return
        }
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).resolvingSymlinksInPath().path
        path = start.path.hasPrefix(cwd + "/") || start.path == cwd ? cwd : start.deletingLastPathComponent().path
    }

    /// The nearest directory at or above `directory` (links followed) holding `.git` or
    /// `flow.config.yaml`; nil outside any project.
    static func nearest(from directory: String) -> String? {
        var current = URL(fileURLWithPath: directory.isEmpty ? "." : directory).standardizedFileURL.resolvingSymlinksInPath()
        for _ in 0..<64 {
            if FileManager.default.fileExists(atPath: current.appendingPathComponent(".git").path)
                || FileManager.default.fileExists(atPath: current.appendingPathComponent(ProjectConfig.fileName).path) {
                return current.path
            }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return nil }
            current = parent
        }
        return nil
    }

    /// Whether `file` (after following links) lies inside the project.
    func contains(_ file: String) -> Bool {
        let real = URL(fileURLWithPath: file).standardizedFileURL.resolvingSymlinksInPath().path
        return path == "/" || real.hasPrefix(path + "/")
    }

    /// Whether `directory` (after following links) is the project or lies inside it.
    func contains(directory: String) -> Bool {
        let real = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath().path
        return real == path || contains(directory)
    }
}
