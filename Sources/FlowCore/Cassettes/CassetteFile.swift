import Foundation
import FlowSource
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file side of a cassette: an advisory lock, and replacement that is atomic and
/// owner-only from the first byte (Foundation's atomic write makes a world-readable temporary).
enum CassetteFile {
    struct Failure: Error { var message: String }

    /// Runs `body` holding an exclusive flock on the directory that holds `path`. The directory,
    /// not a `.lock` file beside the cassette: a lock file would be left in the user's project
    /// after every recording (and removing it would race another run that opened it), while the
    /// directory is already there. The cost is that recordings of two cassettes in one directory
    /// take turns at compaction, which is brief.
    static func withLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let directory = PathText.directory(of: path).isEmpty ? "." : PathText.directory(of: path)
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(message: "cannot open the directory \(directory): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw Failure(message: "cannot lock the directory \(directory): \(String(cString: strerror(errno)))") }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// Which file is at a path now. Every write replaces the file by a rename, so another
    /// process's write leaves a file with another inode (and size or time).
    struct Stamp: Equatable {
        var inode: UInt64
        var size: Int64
        var seconds: Int
        var nanoseconds: Int
    }

    /// The stamp of the file at `path`, or nil when there is none.
    static func stamp(_ path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if os(Linux)
        let modified = info.st_mtim
        #else
        let modified = info.st_mtimespec
        #endif
        return Stamp(inode: UInt64(info.st_ino), size: Int64(info.st_size),
                     seconds: Int(modified.tv_sec), nanoseconds: Int(modified.tv_nsec))
    }

    /// The temporary a write by this process uses: `.<name>.tmp.<pid>` beside the file.
    static func temporary(of path: String, pid: Int32 = getpid()) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp.\(pid)").path
    }

    /// Writes `data` to an owner-only temporary, fsyncs it, and renames it over `path`: a
    /// reader, or a run killed at any moment (or a machine losing power), sees the old file or
    /// the new one, never half of one. Called once per compaction, not per answer.
    static func replace(_ path: String, with data: Data) throws {
        let temporary = temporary(of: path)
        unlink(temporary)
        let fd = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(message: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var failure: String?
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if let failure {
            unlink(temporary)
            throw Failure(message: failure)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure(message: reason)
        }
    }

    /// Appends `line` to the file at `path` (created owner-only) in one `write(2)`, so a killed
    /// run leaves whole lines, and a concurrent appender (holding the same lock) never splits one.
    static func append(_ line: String, to path: String) throws {
        let fd = open(path, O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes = Array(line.utf8)
        let written = bytes.withUnsafeMutableBytes { buffer in
            var result = -1
            repeat { result = write(fd, buffer.baseAddress!, buffer.count) } while result < 0 && errno == EINTR
            return result
        }
        guard written == bytes.count else {
            throw Failure(message: "cannot append to \(path): \(written < 0 ? String(cString: strerror(errno)) : "short write")")
        }
    }

    /// Removes `.<name>.tmp.<pid>` files whose process is gone (a recording killed mid-write).
    static func removeStaleTemporaries(of path: String) {
        let url = URL(fileURLWithPath: path)
        let prefix = ".\(url.lastPathComponent).tmp."
        let directory = url.deletingLastPathComponent().path
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)) else { continue }
            if kill(pid, 0) != 0, errno == ESRCH { unlink(directory + "/" + name) }
        }
    }
}
