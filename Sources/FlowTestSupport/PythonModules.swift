import Foundation

/// Python programs on PyPI that tests talk to as the other side (a JSON Schema validator, an LSP
/// client): `make deps` installs them; a test that needs one that is missing skips, saying so.
public enum PythonModules {
    /// Whether `python3` can import every module named.
    public static func available(_ modules: String...) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", modules.map { "import " + $0 }.joined(separator: "; ")]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// The absolute path of the `python3` the tests find, for a child whose PATH is narrowed.
    public static let executable: String = {
        guard let result = try? run("-c", ["import sys; print(sys.executable)"]), result.status == 0 else { return "python3" }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    /// The reason printed when a test skips for want of `package`.
    public static func missing(_ package: String) -> String {
        "needs the Python package \(package) (make deps installs it with pip; it could not be imported here)"
    }

    /// Runs `python3 script arguments…`; returns its exit status and standard output and error.
    public static func run(_ script: String, _ arguments: [String], input: Data? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let (stdout, stderr) = ChildOutput.collect(stdout: out, stderr: err)
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}
