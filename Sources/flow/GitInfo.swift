import Foundation
import FlowCore

/// The git commit of the workflow's tree and whether it had uncommitted changes, for the
/// transcript, so a result can be traced to the exact files. Absent outside a repository.
enum GitInfo {
    static func fields(for directory: String) -> [(String, JSON)] {
        guard let commit = git(["rev-parse", "HEAD"], in: directory)?.trimmingCharacters(in: .whitespacesAndNewlines),
              !commit.isEmpty else { return [] }
        let status = git(["status", "--porcelain", "--untracked-files=no"], in: directory) ?? ""
        return [("git_commit", .string(commit)), ("git_dirty", .bool(!status.isEmpty))]
    }

    private static func git(_ arguments: [String], in directory: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}
