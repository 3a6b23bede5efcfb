import Foundation
import Testing
import FlowSource

/// The start-up path reads files and trims text without Foundation; it must agree with it.
@Suite struct FileBytesTests {
    @Test func readsWholeFilesAndRefusesTheRest() throws {
        let directory = NSTemporaryDirectory() + "flow-filebytes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Larger than one 64 KiB read, with every byte value.
        let bytes = (0..<200_001).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let path = directory + "/big.bin"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(FileBytes.read(path) == bytes)
        try Data().write(to: URL(fileURLWithPath: directory + "/empty"))
        #expect(FileBytes.read(directory + "/empty") == [])
        #expect(FileBytes.read(directory) == nil)
        #expect(FileBytes.read(directory + "/missing") == nil)
    }

    /// A file whose size stat does not know (procfs says 0), longer than the first read: the
    /// buffer grows until the end of the file.
    @Test func readsFilesLongerThanTheirStatedSize() throws {
        let maps = try #require(FileBytes.read("/proc/self/maps"))
        #expect(maps.count > 4096, "a test process maps more than a page of lines")
        #expect(String(decoding: maps, as: UTF8.self).hasSuffix("\n"))
        #expect(String(decoding: maps, as: UTF8.self).contains("[stack]"))
    }

    @Test func kindsAndTheCurrentDirectoryAgreeWithFileManager() throws {
        let directory = NSTemporaryDirectory() + "flow-filebytes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "x".write(toFile: directory + "/file", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: directory + "/link", withDestinationPath: directory + "/sub")
        #expect(mkfifo(directory + "/fifo", 0o600) == 0)
        #expect(FileBytes.kind(directory + "/file") == .file)
        #expect(FileBytes.kind(directory + "/sub") == .directory)
        #expect(FileBytes.kind(directory + "/link") == .directory, "links are followed")
        #expect(FileBytes.kind(directory + "/fifo") == .other)
        #expect(FileBytes.kind(directory + "/missing") == nil)
        #expect(FileBytes.currentDirectory() == FileManager.default.currentDirectoryPath)
    }

    @Test func writesAllTheTextOrSaysWhyNot() throws {
        let directory = NSTemporaryDirectory() + "flow-filebytes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/out.txt"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        try #require(descriptor >= 0)
        // Several megabytes, not ASCII only: one call writes it all.
        let text = String(repeating: "é日x\n", count: 500_000)
        #expect(FileBytes.write(text, to: descriptor) == nil)
        #expect(FileBytes.write("", to: descriptor) == nil)
        close(descriptor)
        #expect(FileBytes.read(path) == Array(text.utf8))
        let full = open("/dev/full", O_WRONLY | O_CLOEXEC)
        try #require(full >= 0, "/dev/full fails every write with ENOSPC")
        defer { close(full) }
        #expect(FileBytes.write("x", to: full) == ENOSPC)
        #expect(FileBytes.write("x", to: -1) == EBADF)
    }

    @Test(arguments: ["  a b \n", "\t\u{3000}x\u{85}", "\u{2028}\u{A0}", "", "plain", " é\u{301} ", "\r\n\u{0B}\u{0C}y\u{2009}"])
    func trimsAsFoundationDoes(_ text: String) {
        #expect(text.trimmingWhitespace == text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
