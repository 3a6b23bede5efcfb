import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a declared tool for one call. The result is what the model sees, errors included.
public protocol ToolRunner: Sendable {
    func run(_ tool: ToolDeclaration, arguments: JSON) async -> (content: String, isError: Bool)
}

/// Runs the tool's argv as a child process: no shell, the arguments as JSON on stdin, stdout as
/// the result (at most `maxOutputBytes`), one timeout over the whole call, and an environment
/// holding only what a program needs to run (PATH, HOME, LANG, LC_*, TMPDIR, TZ) plus the
/// variables the tool names in `env:`, so no key reaches a tool unless the workflow says so.
///
/// The tool runs in a process group of its own, with the default handling of SIGINT, SIGTERM
/// and SIGPIPE (flow ignores them itself, and ignored signals survive exec). When the tool
/// exits, times out or flow is interrupted, the whole group is killed: a child the tool forked
/// and left holding its stdout cannot hold flow.
public struct ProcessToolRunner: ToolRunner {
    /// Where relative programs and arguments are resolved, and where tools run.
    public var baseDirectory: String
    /// The most stdout kept as a result.
    public var maxOutputBytes = 1 << 20
    /// Seconds between SIGTERM and SIGKILL when a tool overruns its timeout.
    public var killGrace = 1.0

    /// `baseDirectory` is where relative programs and arguments are resolved: the workflow's directory.
    public init(baseDirectory: String) { self.baseDirectory = baseDirectory }

    /// The variables every tool gets, when set: what a program needs to find itself and run.
    static let allowedNames: Set<String> = ["PATH", "HOME", "LANG", "TMPDIR", "TZ"]

    /// The tool's environment: the allow-list, locale variables and the tool's own `env:` names.
    static func environment(for tool: ToolDeclaration, from given: [String: String]) -> [String: String] {
        given.filter { name, _ in allowedNames.contains(name) || name.hasPrefix("LC_") || tool.environment.contains(name) }
    }

    /// Runs `tool` with `arguments` on stdin; the result the model sees.
    public func run(_ tool: ToolDeclaration, arguments: JSON) async -> (content: String, isError: Bool) {
        let directory = baseDirectory.isEmpty ? "." : baseDirectory
        let program = tool.run[0]
        let executable = program.contains("/") && !program.hasPrefix("/") ? directory + "/" + program : program
        let environment = Self.environment(for: tool, from: ProcessInfo.processInfo.environment)
        let child: SpawnedTool
        do {
            child = try SpawnedTool(executable: executable, arguments: Array(tool.run.dropFirst()), environment: environment,
                                    directory: directory)
        } catch {
            return ("tool '\(tool.name)' could not start: \(error.message)", true)
        }
        // A tool that exits without reading its input must not kill flow with SIGPIPE: the
        // signal is ignored here (the tool itself gets the default back) and the write fails.
        signal(SIGPIPE, SIG_IGN)
        let input = Data(arguments.serialized.utf8)
        let limit = maxOutputBytes, timeout = tool.timeout, grace = killGrace
        // Blocking work runs on threads of its own: on the concurrency pool (two threads on a
        // two-core machine) it would starve the timeout.
        let outcome = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: child.finish(input: input, outputLimit: limit, timeout: timeout, grace: grace))
            }
        }
        if outcome.timedOut {
            return ("tool '\(tool.name)' timed out after \(tool.timeout) s", true)
        }
        if outcome.status != 0 {
            let detail = String(decoding: outcome.stderr.suffix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return ("tool '\(tool.name)' " + outcome.statusText + (detail.isEmpty ? "" : ": " + detail), true)
        }
        var text = String(decoding: outcome.stdout.prefix(limit), as: UTF8.self)
        if outcome.stdout.count > limit { text += "\n[output cut at \(limit) bytes]" }
        return (text, false)
    }
}

/// The process groups of the tools running now, so an interrupted run can kill them all.
public enum RunningTools {
    static let groups = Locked(Set<pid_t>())

    /// Kills every running tool's process group (SIGKILL): the run is ending. A group is listed
    /// from spawn until its leader is reaped, so its id is never another process's.
    public static func killAll() {
        for group in groups.current { kill(-group, SIGKILL) }
    }
}

/// One tool process from spawn to reaping. Pure POSIX: Foundation's Process cannot start a
/// child in its own process group or reset the signals flow ignores.
final class SpawnedTool: Sendable {
    struct SpawnError: Error { var message: String }

    struct Outcome {
        var stdout: Data
        var stderr: Data
        var status: Int32
        var signal: Int32?
        var timedOut: Bool

        var statusText: String {
            if let signal { return "was killed by signal \(signal)" }
            return "exited with status \(status)"
        }
    }

    let pid: pid_t
    private let stdin: Int32, stdout: Int32, stderr: Int32

    /// glibc (2.29+) and macOS have it, but Swift sees it only with _GNU_SOURCE: found at run time.
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChdir.self) }

    init(executable: String, arguments: [String], environment: [String: String], directory: String) throws(SpawnError) {
        var fds: [Int32] = [0, 0, 0, 0, 0, 0]
        guard Self.closeOnExecPipe(&fds[0]), Self.closeOnExecPipe(&fds[2]), Self.closeOnExecPipe(&fds[4]) else {
            throw SpawnError(message: "no pipes: \(String(cString: strerror(errno)))")
        }
        // fds: [stdin read, stdin write, stdout read, stdout write, stderr read, stderr write]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fds[3], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[5], 2)
        for fd in fds { posix_spawn_file_actions_addclose(&actions, fd) }
        guard let addChdir = Self.addChdir else {
            throw SpawnError(message: "this C library cannot start a process in another directory (posix_spawn_file_actions_addchdir_np)")
        }
        _ = addChdir(&actions, directory)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), empty = sigset_t()
        sigemptyset(&defaults)
        for signalNumber in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT] { sigaddset(&defaults, signalNumber) }
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        // posix_spawnp looks a bare name up on PATH, as a shell would, but without one.
        let result = posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
        for fd in [fds[0], fds[3], fds[5]] { close(fd) }
        guard result == 0 else {
            for fd in [fds[1], fds[2], fds[4]] { close(fd) }
            throw SpawnError(message: "\(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
        stdin = fds[1]
        stdout = fds[2]
        stderr = fds[4]
        RunningTools.groups.withLock { _ = $0.insert(pid) }
    }

    /// A pipe whose ends no other child inherits: a process started at the same moment (another
    /// tool, another case) must not hold this tool's stdout open. dup2 in the spawn clears the
    /// flag on the tool's own copies.
    private static func closeOnExecPipe(_ ends: UnsafeMutablePointer<Int32>) -> Bool {
        if let pipe2 = Self.pipe2 { return pipe2(ends, O_CLOEXEC) == 0 }
        // Without pipe2 a spawn on another thread could slip in before fcntl: a narrow window.
        guard pipe(ends) == 0 else { return false }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        return true
    }

    /// pipe2 sets close-on-exec atomically; Swift sees it only with _GNU_SOURCE (and macOS has none).
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    static let pipe2: Pipe2? = symbol("pipe2").map { unsafeBitCast($0, to: Pipe2.self) }

    static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        #if os(Linux)
        let everywhere: UnsafeMutableRawPointer? = nil                      // RTLD_DEFAULT on glibc
        #else
        let everywhere = UnsafeMutableRawPointer(bitPattern: -2)            // RTLD_DEFAULT on Darwin
        #endif
        return dlsym(everywhere, name)
    }

    /// Writes `input`, reads both outputs and reaps the tool, all within `timeout` seconds.
    /// Blocks the calling thread.
    func finish(input: Data, outputLimit: Int, timeout: Double, grace: Double) -> Outcome {
        let group = DispatchGroup()
        let out = Locked(Data()), err = Locked(Data())
        // A tool that never reads its input must not hold the timeout: the write has its own
        // thread, and ends with EPIPE once the tool is gone (flow ignores SIGPIPE).
        let stdinFD = stdin
        Thread.detachNewThread {
            input.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(stdinFD, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 { if errno == EINTR { continue }; break }
                    offset += written
                }
            }
            close(stdinFD)
        }
        for (fd, box, limit) in [(stdout, out, outputLimit), (stderr, err, 64 << 10)] {
            group.enter()
            Thread.detachNewThread {
                Self.drain(fd, into: box, keeping: limit + 1)
                group.leave()
            }
        }
        // Waits for the tool to exit without reaping it: while its zombie stands, its pid, and
        // so its process group's id, cannot be given to another process, so killing the group
        // below can only ever reach what the tool started.
        let exited = DispatchSemaphore(value: 0)
        let pid = self.pid
        let stillOurs = Locked(true)
        Thread.detachNewThread {
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 {
                if errno == EINTR { continue }
                // Reaped elsewhere (ECHILD): the id may be reused, so the group is not killed.
                stillOurs.withLock { $0 = false }
                break
            }
            exited.signal()
        }
        var timedOut = false
        if exited.wait(timeout: .now() + max(0, timeout)) == .timedOut {
            timedOut = true
            kill(-pid, SIGTERM)
            if exited.wait(timeout: .now() + grace) == .timedOut {
                kill(-pid, SIGKILL)
                exited.wait()
            }
        }
        // The tool is gone; anything it left in its group (a forked child holding stdout open)
        // goes too, so the reads below end. Then the tool is reaped.
        if stillOurs.current { kill(-pid, SIGKILL) }
        var code: Int32 = 0
        while waitpid(pid, &code, 0) < 0, errno == EINTR {}
        // A grandchild that left the group (setsid) may still hold a pipe: stop waiting for it.
        _ = group.wait(timeout: .now() + 5)
        RunningTools.groups.withLock { _ = $0.remove(pid) }
        close(stdout)
        close(stderr)
        let normal = code & 0x7f == 0
        return Outcome(stdout: out.current, stderr: err.current, status: normal ? (code >> 8) & 0xff : 128 + (code & 0x7f),
                       signal: normal ? nil : code & 0x7f, timedOut: timedOut)
    }

    /// Reads `fd` to its end, keeping the first `keeping` bytes and discarding the rest, so a
    /// chatty tool never blocks on a full pipe.
    private static func drain(_ fd: Int32, into box: Locked<Data>, keeping: Int) {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return }
            box.withLock { data in
                if data.count < keeping { data.append(contentsOf: buffer[0..<min(count, keeping - data.count)]) }
            }
        }
    }
}
