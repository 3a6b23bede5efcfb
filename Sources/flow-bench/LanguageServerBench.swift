import Foundation
import FlowCore

/// Section l: `flow lsp` as an editor meets it: a 1,000-line workflow open, then 10,000 edits,
/// each answered by its diagnostics. The latency is from writing a change to reading its
/// publishDiagnostics; the memory is the server's resident set (VmRSS) after the first 100
/// edits and after the last, which must not grow with the edits.
extension ProcessBenchmarks {
    func languageServer(edits: Int = 10_000) throws -> [Row] {
        let path = directory + "/big.yaml"
        let uri = "file://" + path
        let lines = Self.thousandLines()
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: flow)
        process.arguments = ["lsp"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var buffer: [UInt8] = []
        func send(_ message: JSON) { input.fileHandleForWriting.write(LanguageServerFraming.frame(message)) }
        /// Reads messages until the diagnostics of `uri` arrive; returns how many problems they hold.
        func awaitDiagnostics() throws -> Int {
            while true {
                guard let body = LanguageServerFraming.next(&buffer, from: output.fileHandleForReading) else {
                    throw BenchError(message: "flow lsp closed its output")
                }
                let message = try JSON.parse(String(decoding: body, as: UTF8.self))
                if message["method"]?.string == "textDocument/publishDiagnostics", message["params"]?["uri"]?.string == uri {
                    return message["params"]?["diagnostics"]?.array?.count ?? 0
                }
            }
        }
        send(.object([("jsonrpc", .string("2.0")), ("id", .int(1)), ("method", .string("initialize")), ("params", .object([("capabilities", .object([]))]))]))
        send(.object([("jsonrpc", .string("2.0")), ("method", .string("textDocument/didOpen")),
                      ("params", .object([("textDocument", .object([("uri", .string(uri)), ("languageId", .string("yaml")), ("version", .int(1)),
                                                                     ("text", .string(lines.joined(separator: "\n")))]))]))]))
        guard try awaitDiagnostics() == 0 else { throw BenchError(message: "the 1,000-line workflow should have no problems") }
        var latencies: [Double] = []
        var early = 0
        let clock = ContinuousClock()
        for edit in 0..<edits {
            // Every other edit misspells a variable, so half the checks find a problem to report.
            var text = lines
            let line = 7 + (edit % 190) * 5
            text[line] = text[line].replacingOccurrences(of: "{{topic}}", with: edit.isMultiple(of: 2) ? "{{topik}}" : "{{topic}} again")
            let start = clock.now
            send(.object([("jsonrpc", .string("2.0")), ("method", .string("textDocument/didChange")),
                          ("params", .object([("textDocument", .object([("uri", .string(uri)), ("version", .int(edit + 2))])),
                                              ("contentChanges", .array([.object([("text", .string(text.joined(separator: "\n")))])]))]))]))
            let problems = try awaitDiagnostics()
            latencies.append(seconds(clock.now - start) * 1000)
            guard problems == (edit.isMultiple(of: 2) ? 1 : 0) else { throw BenchError(message: "edit \(edit): \(problems) problems") }
            if edit == 99 { early = Self.residentSet(process.processIdentifier) }
        }
        let late = Self.residentSet(process.processIdentifier)
        send(.object([("jsonrpc", .string("2.0")), ("id", .int(2)), ("method", .string("shutdown"))]))
        send(.object([("jsonrpc", .string("2.0")), ("method", .string("exit"))]))
        process.waitUntilExit()
        let sorted = latencies.sorted()
        let median = sorted[sorted.count / 2], p95 = sorted[sorted.count * 95 / 100]
        let growth = Double(late - early) / 1024
        return [
            Row(name: "l. lsp: 1,000-line workflow, change → diagnostics, median", value: median, unit: "ms", target: "≤ 20", met: median <= 20),
            Row(name: "l. lsp: change → diagnostics, 95th percentile", value: p95, unit: "ms"),
            Row(name: "l. lsp: resident set after 100 edits", value: Double(early) / 1024, unit: "MB"),
            Row(name: "l. lsp: its growth over the next \(edits - 100) edits", value: growth, unit: "MB", target: "< 5", met: growth < 5),
        ]
    }

    /// A workflow of 1,000 lines: 190 steps of five lines each under a short header.
    static func thousandLines() -> [String] {
        var lines = ["flow: 1", "name: big", "model: mock/m", "vars: {topic: owls}", "system: You answer briefly.", "steps:"]
        for index in 0..<190 {
            lines += ["  - id: s\(index)", "    user: \"Question \(index) about {{topic}}\"", "    params: {max_tokens: 50}",
                      "    save: a\(index)", "    on: {stop: next}"]
        }
        while lines.count < 1000 { lines.append("# padding to 1,000 lines") }
        return lines
    }

    /// A process's resident set in KiB, from /proc.
    static func residentSet(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
}
