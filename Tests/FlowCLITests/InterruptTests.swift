import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// SIGINT mid-run leaves a transcript that ends with `interrupted`, and exit 130.
@Suite struct InterruptTests {
    @Test func sigintEndsTheTranscriptAsInterrupted() throws {
        let server = try StubServer { request in
            // The first step answers at once; the second hangs long enough to be interrupted.
            request.bodyText.contains("second")
                ? StubServer.Response(body: OpenAIWire.completion(content: "late"), delay: 5)
                : StubServer.Response(body: OpenAIWire.completion(content: "first answer", promptTokens: 12, completionTokens: 3))
        }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", "flow: 1\nmodel: openai/gpt-4o-mini\nsteps: [{id: one, user: first}, {id: two, user: second}]\n")
        let process = Self.flow(["run", "w.yaml", "--json"], in: directory.path, environment: ["PATH": "/usr/bin:/bin", "OPENAI_API_KEY": "k", "OPENAI_BASE_URL": server.baseURL + "/v1"])
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Wait until the second request is in flight, then interrupt.
        let deadline = Date().addingTimeInterval(10)
        while server.requests.count < 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        Thread.sleep(forTimeInterval: 0.2)
        process.interrupt()
        let (stdout, _) = ChildOutput.collect(stdout: out, stderr: err)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(try JSON.parse([UInt8](stdout))["status"] == .string("interrupted"))

        let transcript = try TranscriptReader.read(try #require(try directory.transcripts().first))
        #expect(!transcript.truncated)
        let end = try #require(transcript.events.last)
        #expect(end["type"] == .string("run_end"))
        #expect(end["status"] == .string("interrupted"))
        #expect(end["totals"]?["calls"] == .int(1))
        #expect(end["totals"]?["input_tokens"] == .int(12))
        #expect(transcript.all(.request).count == 2, "the interrupted request is on record")
    }

    /// The run waits on standard input (`ask`), blocking the thread its tasks run on: the signal
    /// is still handled at once, by the thread that waits for signals. Both SIGINT and SIGTERM.
    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalWhileTheRunWaitsForInputEndsIt(_ signal: Int32) throws {
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: go}, {id: b, user: {ask: \"you> \"}}]\nmock: [first]\n")
        let process = Self.flow(["run", "w.yaml"], in: directory.path, environment: ["PATH": "/usr/bin:/bin", "CI": "true"])
        let input = Pipe(), out = Pipe(), err = Pipe()
        process.standardInput = input   // never written: the run waits at the prompt
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while (try? directory.transcripts())?.isEmpty != false, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        Thread.sleep(forTimeInterval: 0.3)
        kill(process.processIdentifier, signal)
        let (_, stderr) = ChildOutput.collect(stdout: out, stderr: err)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(String(decoding: stderr, as: UTF8.self))")
        #expect(String(decoding: stderr, as: UTF8.self).contains("interrupted; transcript: "))
        let transcript = try TranscriptReader.read(try #require(try directory.transcripts().first))
        #expect(transcript.events.last?["status"] == .string("interrupted"))
        #expect(transcript.all(.response).count == 1, "the first step's answer is on record")
    }

    /// Before a command has anything to record, a signal ends it as it would end any program:
    /// here `flow test` is stuck opening a dataset that is a FIFO no one writes.
    @Test func aSignalBeforeTheRunStartsEndsTheProcessByThatSignal() throws {
        let directory = try TemporaryDirectory()
        #expect(mkfifo(directory.path + "/cases.jsonl", 0o600) == 0)
        try directory.write("w.yaml", "flow: 1\nmodel: mock/m\nsteps: [{id: a, user: go}]\ntests: [{dataset: cases.jsonl, expect: [{contains: ok}]}]\nmock: [ok]\n")
        let process = Self.flow(["test", "w.yaml"], in: directory.path, environment: ["PATH": "/usr/bin:/bin", "CI": "true"])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 0.5)
        #expect(process.isRunning, "flow test waits on the FIFO")
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGTERM,
                "status \(process.terminationStatus): the signal was held, not acted on")
    }

    @Test func aReaderAcceptsALastLineCutOffMidWrite() throws {
        let text = #"{"seq":1,"type":"run_start"}"# + "\n" + #"{"seq":2,"type":"step_start","st"#
        let transcript = try TranscriptReader.parse(text, path: "t.jsonl")
        #expect(transcript.events.count == 1)
        #expect(transcript.truncated)
        #expect(throws: TranscriptReader.ReadError.self) {
            try TranscriptReader.parse("{\"broken\n" + #"{"seq":2}"# + "\n", path: "t.jsonl")
        }
    }

    /// A tool that records its pid and its child's, then sleeps: what an interrupt must kill.
    static let slowTool = """
        tools:
          slow: {description: takes its time, parameters: {type: object}, run: [sh, slow.sh], timeout: 30}
        steps: [{id: a, user: go, tools: [slow]}]
        """

    /// Runs `flow arguments` in a project holding `workflow`, interrupts it once the slow tool has
    /// started, and returns the exit status with the tool's and its child's pids.
    static func interruptDuringTool(_ arguments: [String], workflow: String) throws -> (status: Int32, tool: Int32, child: Int32) {
        let directory = try TemporaryDirectory()
        try directory.write("slow.sh", "sleep 60 & echo $! > child; echo $$ > started; sleep 60\n")
        try directory.write("w.yaml", workflow)
        let process = Self.flow(arguments, in: directory.path, environment: ["PATH": "/usr/bin:/bin", "CI": "true"])
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: directory.path + "/started"), Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        Thread.sleep(forTimeInterval: 0.2)
        process.interrupt()
        _ = ChildOutput.collect(stdout: out, stderr: err)
        process.waitUntilExit()
        func pid(_ file: String) throws -> Int32 {
            try #require(Int32(try String(contentsOfFile: directory.path + "/" + file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return (process.terminationStatus, try pid("started"), try pid("child"))
    }

    /// A tool running when flow is interrupted dies with it, children included.
    @Test func sigintKillsTheRunningToolAndItsChildren() throws {
        let (status, tool, child) = try Self.interruptDuringTool(["run", "w.yaml"], workflow: "flow: 1\nmodel: mock/m\n" + Self.slowTool + """

            mock:
              - {tool_calls: [{name: slow, arguments: {}}]}
              - done
            """)
        #expect(status == 130)
        #expect(Self.endsWithin(5, tool), "the tool was killed")
        #expect(Self.endsWithin(5, child), "and the child it started")
    }

    /// Ctrl-C during `flow test` ends the run at once, and the tools it was running with it.
    @Test func sigintDuringATestRunKillsItsTools() throws {
        let (status, tool, child) = try Self.interruptDuringTool(["test", "w.yaml"], workflow: "flow: 1\nmodel: mock/m\n" + Self.slowTool + """

            tests:
              - name: slow tool
                mock: [{tool_calls: [{name: slow, arguments: {}}]}, done]
            """)
        #expect(status == 130)
        #expect(Self.endsWithin(5, tool), "the tool was killed")
        #expect(Self.endsWithin(5, child), "and the child it started")
    }

    /// `flow arguments`, not yet started, in `directory`.
    static func flow(_ arguments: [String], in directory: String, environment: [String: String]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FlowBinary.path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        return process
    }

    /// Whether process `pid` is gone (or a zombie no one reaped yet) within `seconds`.
    static func endsWithin(_ seconds: Double, _ pid: Int32) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            if let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }
}
