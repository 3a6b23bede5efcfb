#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole files read with open(2)/read(2), and text written with write(2). The workflow, its
/// templates and the project config are read at every start, and the first use of
/// `FileManager.default` alone cost more than reading them (docs/performance.md).
public enum FileBytes {
    /// The file's bytes, or nil when it cannot be opened or read (missing, a directory, no
    /// permission); callers ask `FileManager` why only then.
    public static func read(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        // Straight into the array, sized by fstat and grown if the file grows meanwhile: a
        // zeroed 64 KiB bounce buffer cost sixteen page faults per file read.
        var bytes: [UInt8] = []
        var capacity = max(Int(info.st_size) + 1, 4096)
        while true {
            bytes.reserveCapacity(capacity)
            let start = bytes.count
            var failed = false
            bytes.append(contentsOf: repeatElement(0, count: capacity - start))  // within capacity: no reallocation
            let count = bytes.withUnsafeMutableBytes { buffer in
                readChunk(descriptor, UnsafeMutableRawBufferPointer(rebasing: buffer[start...]))
            }
            if count < 0 { failed = errno != EINTR }
            bytes.removeLast(capacity - start - max(count, 0))
            if failed { return nil }
            if count == 0 { return bytes }
            if bytes.count == capacity { capacity *= 2 }
        }
    }
}

extension FileBytes {
    /// Writes all of `text` to `descriptor` (write(2) again after a short write or EINTR); nil
    /// when it is written, else the errno that stopped it. Terminal output and transcripts go
    /// through here rather than `FileHandle.write(Data(text.utf8))`: that path asks at run time
    /// whether `String.UTF8View` is `ContiguousBytes`, a scan of every conformance record in the
    /// binary, and sets up Foundation's FileHandle, together about 0.1 ms of every start.
    public static func write(_ text: String, to descriptor: Int32) -> Int32? {
        var text = text
        return text.withUTF8 { bytes -> Int32? in
            var offset = 0
            while offset < bytes.count {
                let count = writeChunk(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return count < 0 ? errno : EIO }
                offset += count
            }
            return nil
        }
    }
}

extension FileBytes {
    /// What a path names.
    public enum Kind: Sendable { case file, directory, other }

    /// What is at `path`, links followed; nil when nothing is. stat(2): the load path asks this
    /// of every candidate templates directory and partial, and `FileManager.default`'s first
    /// use costs more than all of those calls together.
    public static func kind(_ path: String) -> Kind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// The current directory, from getcwd(3); "." if it cannot be read (removed under us).
    public static func currentDirectory() -> String {
        guard let path = getcwd(nil, 0) else { return "." }
        defer { free(path) }
        return String(cString: path)
    }
}

/// write(2), outside `FileBytes`, whose own `write` would shadow it.
private func writeChunk(_ descriptor: Int32, _ start: UnsafePointer<UInt8>, _ count: Int) -> Int {
    write(descriptor, start, count)
}

/// read(2), outside `FileBytes`, whose own `read` would shadow it.
private func readChunk(_ descriptor: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
    read(descriptor, buffer.baseAddress, buffer.count)
}

extension String {
    /// This text without leading and trailing white space (Unicode's White_Space property), as
    /// Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` gives it but without
    /// building a CharacterSet.
    public var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...last])
    }
}
