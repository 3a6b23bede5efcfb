import Foundation

/// The directory a workflow's file references must stay inside: the nearest directory above the
/// workflow holding `.git` or `flow.config.yaml`; without one, the current directory when the
/// workflow is inside it, else the directory above the workflow's.
struct ProjectRoot {
    let path: String

    init(workflowDirectory: String) {
        let start = URL(fileURLWithPath: workflowDirectory.isEmpty ? "." : workflowDirectory).standardizedFileURL.resolvingSymlinksInPath()
        var current = start
        for _ in 0..<64 {
            if FileManager.default.fileExists(atPath: current.appendingPathComponent(".git").path)
                || FileManager.default.fileExists(atPath: current.appendingPathComponent(ProjectConfig.fileName).path) {
                path = current.path
                return
            }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { break }
            current = parent
        }
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).resolvingSymlinksInPath().path
        path = start.path.hasPrefix(cwd + "/") || start.path == cwd ? cwd : start.deletingLastPathComponent().path
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
