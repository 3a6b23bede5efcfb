import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// Runs go to the project root's .flow/runs wherever a command starts; flow show finds the last
/// one and lists recent ones; a git project is told once that .flow/ is now ignored.
@Suite struct RunsDirectoryTests {
    func project(git: Bool) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/workflows", withIntermediateDirectories: true)
        try directory.write("workflows/w.yaml", "flow: 1\nname: greet\nmodel: mock/m\nsteps: [{id: a, user: hi}]\nmock: [hello]\n")
        if git {
            try FileManager.default.createDirectory(atPath: directory.path + "/.git", withIntermediateDirectories: true)
        } else {
            try directory.write("flow.config.yaml", "providers: []\n")
        }
        return directory
    }

    @Test func runsGoToTheProjectRootAndShowFindsTheLast() throws {
        let directory = try project(git: false)
        let first = try FlowBinary.run(["run", "w.yaml"], in: directory.path + "/workflows")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/workflows/.flow"), "not where the command started")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/.flow/runs").count == 1)
        #expect(first.stderr.contains("transcript: \(URL(fileURLWithPath: directory.path).resolvingSymlinksInPath().path)/.flow/runs/")
                || first.stderr.contains("transcript: \(directory.path)/.flow/runs/"))
        _ = try FlowBinary.run(["run", "workflows/w.yaml", "--var", "x=1"], in: directory.path)
        let second = try FlowBinary.run(["run", "workflows/w.yaml"], in: directory.path)
        #expect(second.stderr.contains("transcript: .flow/runs/"), "relative below the current directory")

        let shown = try FlowBinary.run(["show"], in: directory.path + "/workflows")
        #expect(shown.status == 0)
        #expect(shown.stdout.hasPrefix("run greet (workflows/w.yaml) — succeeded\n"))
        let listed = try FlowBinary.run(["show", "--list"], in: directory.path)
        #expect(listed.status == 0)
        let lines = listed.stdout.split(separator: "\n")
        #expect(lines.count == 2, "the run with an unknown --var never started a transcript")
        #expect(lines.allSatisfy { $0.contains("greet") && $0.contains("succeeded") && $0.contains("1 call, ") && $0.contains(".flow/runs/") })
    }

    @Test func showWithoutRunsSaysSo() throws {
        let directory = try project(git: false)
        let shown = try FlowBinary.run(["show"], in: directory.path)
        #expect(shown.status == 66)
        #expect(shown.stderr.hasPrefix("error: no runs in .flow/runs yet\n"))
    }

    @Test func aGitProjectIsToldOnceThatRunsAreNowIgnored() throws {
        let directory = try project(git: true)
        let first = try FlowBinary.run(["run", "workflows/w.yaml"], in: directory.path)
        #expect(first.stderr.contains("warning: .flow/ was not ignored by git; flow wrote .flow/.gitignore so transcripts stay out of commits\n"))
        #expect(try String(contentsOfFile: directory.path + "/.flow/.gitignore", encoding: .utf8).hasSuffix("\n*\n"))
        let second = try FlowBinary.run(["run", "workflows/w.yaml"], in: directory.path)
        #expect(!second.stderr.contains("warning"), "once")

        let ignored = try project(git: true)
        try ignored.write(".gitignore", ".build/\n.flow/\n")
        #expect(!(try FlowBinary.run(["run", "workflows/w.yaml"], in: ignored.path)).stderr.contains("warning"))
    }
}

/// A run whose transcript cannot be written says so on stderr once and exits 74.
@Suite struct FullDiskTests {
    @Test func aRunOnAFullDiskSaysSoAndFails() throws {
        let directory = try TemporaryDirectory()
        let long = String(repeating: "a long system prompt ", count: 200)
        try directory.write("w.yaml", "flow: 1\nmodel: mock/m\nsystem: \"\(long)\"\nsteps: [{id: a, user: hi}, {id: b, user: again}]\nmock: [one, two]\n")
        // A file-size limit of 2 KiB makes the transcript's writes fail (EFBIG) once it grows;
        // SIGXFSZ is ignored so the write fails instead of killing the process, as ENOSPC would.
        let result = try FlowBinary.run(["sh", "-c", "ulimit -f 4; trap '' XFSZ; exec \"$FLOW\" run w.yaml"],
                                        in: directory.path, environment: ["FLOW": FlowBinary.path], executable: "/bin/sh")
        #expect(result.status == 74, "\(result.stderr)")
        #expect(result.stderr.components(separatedBy: "could not be written").count == 2, "reported once: \(result.stderr)")
        #expect(result.stderr.contains("its record of the run is incomplete"))
        #expect(result.stdout == "two\n", "the run itself finished")
    }
}

/// A cassette that cannot be written is a record lost, as a transcript is: exit 74, said once
/// with its path, and the recordings already on disk kept.
@Suite struct FullDiskCassetteTests {
    @Test func recordingOntoAFullDiskExits74AndKeepsTheCassette() throws {
        let server = try StubServer { _ in StubServer.Response(body: OpenAIWire.completion(content: "fine")) }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let environment = ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.baseURL + "/v1", "FLOW": FlowBinary.path]
        // A first recording with a long prompt makes a cassette of about 5 KB.
        let long = String(repeating: "a long system prompt ", count: 200)
        try directory.write("w.yaml", "flow: 1\nmodel: openai/gpt-4o-mini\nsystem: \"\(long)\"\nsteps: [{id: a, user: hi}]\n")
        #expect(try FlowBinary.run(["run", "w.yaml", "--record"], in: directory.path, environment: environment).status == 0)
        let before = try String(contentsOfFile: directory.path + "/w.cassette.json", encoding: .utf8)
        #expect(before.utf8.count > 4096)
        // A second one with a short prompt: its transcript fits a 4 KiB file-size limit, the
        // merged cassette does not (EFBIG, as a full disk's ENOSPC would fail the write).
        try directory.write("w.yaml", "flow: 1\nmodel: openai/gpt-4o-mini\nsteps: [{id: a, user: hi}]\n")
        let result = try FlowBinary.run(["sh", "-c", "ulimit -f 8; trap '' XFSZ; exec \"$FLOW\" run w.yaml --record"],
                                        in: directory.path, environment: environment, executable: "/bin/sh")
        #expect(result.status == 74, "\(result.stderr)")
        #expect(result.stdout == "fine\n", "the run itself finished")
        #expect(result.stderr.contains("cannot write the cassette 'w.cassette.json'"), "\(result.stderr)")
        #expect(!result.stderr.contains("could not be written"), "the transcript fitted: \(result.stderr)")
        #expect(try String(contentsOfFile: directory.path + "/w.cassette.json", encoding: .utf8) == before, "the old cassette is untouched")
    }
}
