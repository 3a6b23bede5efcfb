import Foundation
import FlowTestSupport
import Testing

/// The README's first command is a newcomer's first try: `make demo` must install only what the
/// demo needs (libyaml to build), not the browser the tests open reports in.
@Suite struct MakefileTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/make"), "make is not installed, so the Makefile is not read"))
    func theDemoInstallsNoBrowser() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/make")
        // -n prints every recipe line the target would run, the dependencies' included.
        process.arguments = ["-n", "-C", FlowBinary.repository, "demo"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(text.contains("libyaml-dev"), "the demo still installs what it builds with: \(text)")
        #expect(!text.contains("chromium") && !text.contains("libxml2-utils"), "\(text)")
    }
}
