import Foundation
import FlowCore
import FlowTestSupport

/// `flow serve` under load: 32 clients, each on its own keep-alive connection, posting runs of
/// a mock workflow back to back; throughput, latency percentiles, and the server's resident
/// memory as the runs add up (read from /proc, so it is the server's alone).
extension ProcessBenchmarks {
    func serve(runs: Int, clients: Int = 32) throws -> [Row] {
        let folder = directory + "/serve"
        try FileManager.default.createDirectory(atPath: folder + "/workflows", withIntermediateDirectories: true)
        try """
            flow: 1
            name: greet
            model: mock/bench
            mock: ["Hello there!"]
            vars: {person: Ada}
            steps:
              - id: hello
                user: "Greet {{person}}."
            """.write(toFile: folder + "/workflows/greet.yaml", atomically: true, encoding: .utf8)
        var rows: [Row] = []
        for transcripts in [false, true] {
            let server = try ServeProcess(flow: flow, in: folder, arguments: ["workflows", "--per-client", "64", "--connections", "512"]
                                          + (transcripts ? ["--transcript-dir", folder + "/runs"] : ["--transcript-dir", "off"]))
            defer { server.stop() }
            let body = Array(#"{"vars": {"person": "Grace"}}"#.utf8)
            let request = Array("POST /v1/workflows/greet/runs HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
            // Warm up, then the measured runs; memory after a tenth and after all of them.
            _ = try load(port: server.port, request: request, runs: 2_000, clients: clients)
            let tenth = max(runs / 10, 1)
            _ = try load(port: server.port, request: request, runs: tenth, clients: clients)
            let early = server.residentBytes()
            let started = Date()
            let latencies = try load(port: server.port, request: request, runs: runs - tenth, clients: clients)
            let elapsed = Date().timeIntervalSince(started)
            let late = server.residentBytes()
            let sorted = latencies.sorted()
            let throughput = Double(latencies.count) / elapsed
            let p50 = sorted[sorted.count / 2] * 1000, p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)] * 1000
            let label = transcripts ? "with a transcript per run" : "no transcripts"
            rows.append(Row(name: "s. serve: mock runs/s, \(clients) clients, \(label)", value: throughput, unit: "runs/s",
                            target: transcripts ? nil : "≥ 5000", met: transcripts ? nil : throughput >= 5000))
            rows.append(Row(name: "s. serve: p50 latency, \(label)", value: p50, unit: "ms"))
            rows.append(Row(name: "s. serve: p99 latency, \(label)", value: p99, unit: "ms", target: transcripts ? nil : "≤ 5", met: transcripts ? nil : p99 <= 5))
            let growth = Double(late - early) / 1_048_576
            rows.append(Row(name: "s. serve: RSS growth \(tenth / 1000)k → \(runs / 1000)k runs, \(label)", value: growth, unit: "MB",
                            target: "≤ 20", met: growth <= 20))
            rows.append(Row(name: "s. serve: RSS after \(runs / 1000)k runs, \(label)", value: Double(late) / 1_048_576, unit: "MB"))
        }
        return rows
    }

    /// `runs` requests spread over `clients` keep-alive connections; each request's seconds.
    func load(port: Int, request: [UInt8], runs: Int, clients: Int) throws -> [Double] {
        let results = Locked<[Double]>([])
        let failures = Locked(0)
        let perClient = runs / clients
        // A thread per client (concurrentPerform would run only as many as there are cores).
        let group = DispatchGroup()
        for _ in 0..<clients {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                var times: [Double] = []
                times.reserveCapacity(perClient)
                guard let connection = BenchConnection(port: port) else { failures.withLock { $0 += perClient }; return }
                defer { connection.close() }
                for _ in 0..<perClient {
                    let start = DispatchTime.now().uptimeNanoseconds
                    guard connection.exchange(request) == 200 else { failures.withLock { $0 += 1 }; continue }
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                }
                results.withLock { $0 += times }
            }
            thread.start()
        }
        group.wait()
        if failures.current > 0 { throw BenchError(message: "flow serve failed \(failures.current) of \(runs) runs") }
        return results.current
    }
}

/// A `flow serve` child on a free port.
final class ServeProcess {
    let process = Process()
    let port: Int
    private let errors = Pipe()

    init(flow: String, in directory: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: flow)
        process.arguments = ["serve"] + arguments + ["--port", "0"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var text = ""
        var found: Int?
        let deadline = Date().addingTimeInterval(20)
        while found == nil, Date() < deadline, process.isRunning {
            let data = errors.fileHandleForReading.availableData
            text += String(decoding: data, as: UTF8.self)
            if let match = text.firstMatch(of: /on http:\/\/127\.0\.0\.1:(\d+)/) { found = Int(match.1) }
        }
        guard let found else { throw BenchError(message: "flow serve did not start: \(text)") }
        port = found
        // Keep draining its stderr so it never blocks on a full pipe.
        errors.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
    }

    /// The server's resident set now, from /proc.
    func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes * 1024
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
    }
}

/// One keep-alive HTTP/1.1 connection, blocking: send a request, read its whole response.
final class BenchConnection {
    private let socket: Int32
    private var buffer: [UInt8] = []

    init?(port: Int) {
        #if canImport(Glibc)
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socket = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var yes: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
        if connected != 0 { return nil }
    }

    /// The response's status, or 0 when the connection failed.
    func exchange(_ request: [UInt8]) -> Int {
        var offset = 0
        while offset < request.count {
            let sent = request[offset...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return 0 }
            offset += sent
        }
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            if let (status, length) = Self.complete(buffer) {
                buffer.removeFirst(length)
                return status
            }
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return 0 }
            buffer += chunk[0..<count]
        }
    }

    /// A whole response at the start of `buffer`: its status and length.
    static func complete(_ buffer: [UInt8]) -> (Int, Int)? {
        guard let end = (0..<max(0, buffer.count - 3)).first(where: { buffer[$0] == 13 && buffer[$0 + 1] == 10 && buffer[$0 + 2] == 13 && buffer[$0 + 3] == 10 }) else { return nil }
        let head = String(decoding: buffer[..<end], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }.flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        return buffer.count >= end + 4 + length ? (status, end + 4 + length) : nil
    }

    func close() {
        #if canImport(Glibc)
        _ = Glibc.close(socket)
        #else
        _ = Darwin.close(socket)
        #endif
    }
}

extension ProcessBenchmarks {
    /// What `--otlp` adds to a 1,000-case live `flow test` against the loopback stub: the same
    /// suite with and without export to a collector (a loopback server that takes every batch).
    /// Median of three runs each.
    func telemetryOverhead(cases: Int = 1000, jobs: Int = 16) throws -> [Row] {
        let model = try StubServer(keepAlive: true) { request in
            StubServer.Response(body: OpenAIWire.completion(content: "fine " + String(request.bodyText.suffix(40).filter(\.isNumber))))
        }
        defer { model.stop() }
        let collector = try StubServer(keepAlive: true) { _ in StubServer.Response(body: "{}") }
        defer { collector.stop() }
        let environment = ["OPENAI_API_KEY": "k", "OPENAI_BASE_URL": model.baseURL + "/v1"]
        try writeSuite("traced", cases: cases, expecting: "fine")
        func median(_ arguments: [String]) throws -> Double {
            var times: [Double] = []
            for _ in 0..<3 {
                let outcome = try run(arguments, environment: environment)
                guard outcome.status == 0 else { throw BenchError(message: "flow \(arguments.joined(separator: " ")) exited \(outcome.status)") }
                times.append(outcome.seconds)
            }
            return times.sorted()[1]
        }
        let plain = try median(["test", "traced.yaml", "--live", "-j", String(jobs)])
        let traced = try median(["test", "traced.yaml", "--live", "-j", String(jobs), "--otlp", collector.baseURL])
        let spans = collector.requests.count
        let overhead = (traced / plain - 1) * 100
        return [
            Row(name: "t. \(cases) cases live, no export", value: plain * 1000, unit: "ms"),
            Row(name: "t. the same with --otlp (\(spans) batches posted)", value: traced * 1000, unit: "ms"),
            Row(name: "t. OTLP export overhead", value: overhead, unit: "%", target: "≤ 5", met: overhead <= 5),
        ]
    }
}
