import Foundation
import Testing
@testable import FlowCore

/// A full disk must not lose a run's record silently.
@Suite struct TranscriptFailureTests {
    @Test func aFailedWriteIsReportedOnceAndKept() throws {
        let device = open("/dev/full", O_WRONLY | O_CLOEXEC)
        try #require(device >= 0, "/dev/full fails every write with ENOSPC")
        let writer = TranscriptWriter(path: "runs/x.jsonl", descriptor: device)
        let reports = Locked<[String]>([])
        writer.onFailure = { message in reports.withLock { $0.append(message) } }
        writer.record(.runStart, [("name", .string("w"))])
        writer.record(.stepStart, [("step", .string("a"))])
        #expect(reports.current == ["the transcript 'runs/x.jsonl' could not be written (No space left on device); its record of the run is incomplete"])
        #expect(writer.failure == reports.current.first)
    }
}
