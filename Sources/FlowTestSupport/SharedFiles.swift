import Foundation
import FlowCore

/// Files the tests read from `../shared` beside the repository (the Mustache spec, the JUnit
/// schema, LiteLLM's price map). They are never copied into the repository, so a user's clone
/// has none of them: a test that needs one is enabled only when it is there and otherwise
/// skips with the reason these helpers give, so `make test` passes on any clone while CI,
/// which has `../shared`, still runs the checks.
public enum SharedFiles {
    /// The `shared` directory beside the repository this file belongs to.
    public static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared").path

    /// The absolute path of `relative` inside `../shared`.
    public static func path(_ relative: String) -> String { directory + "/" + relative }

    /// Whether `relative` exists inside `../shared`.
    public static func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    /// The reason printed when a test skips for want of `relative`.
    public static func missing(_ relative: String) -> String {
        "needs \(path(relative)), which is not beside this clone (CI has it; the check runs there)"
    }
}

/// Runs a child process and collects stdout and stderr together: reading one to its end before
/// the other deadlocks once the other fills its pipe (64 KiB on Linux).
public enum ChildOutput {
    /// Reads both pipes to their ends at once, then returns them.
    public static func collect(stdout: Pipe, stderr: Pipe) -> (stdout: Data, stderr: Data) {
        let errors = Locked(Data())
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let data = stderr.fileHandleForReading.readDataToEndOfFile()
            errors.withLock { $0 = data }
            done.signal()
        }
        thread.start()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        return (out, errors.current)
    }
}
