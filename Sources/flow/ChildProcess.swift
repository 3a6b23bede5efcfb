import Foundation

/// Programs flow runs for itself (git), without a shell.
enum ChildProcess {
    /// Runs `argv` through /usr/bin/env; its standard output, or nil when it could not start or
    /// exited non-zero. Standard error is dropped.
    static func output(_ argv: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}
