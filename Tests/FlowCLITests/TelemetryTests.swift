import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// OpenTelemetry export met by opentelemetry-proto: a receiver (Python/otlp_receiver.py) parses
/// every body flow posts with the official ExportTraceServiceRequest message, so a field of the
/// wrong name or type fails here. The model calls go to the loopback stub in OpenAI's format.
@Suite(.serialized) struct TelemetryTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python/otlp_receiver.py").path
    static let hasProto = PythonModules.available("opentelemetry.proto.collector.trace.v1.trace_service_pb2", "google.protobuf.json_format")

    /// The receiver, on a free port; what it received.
    final class Receiver: @unchecked Sendable {
        let process = Process()
        let port: Int
        let out: String

        init(_ directory: TemporaryDirectory, arguments: [String] = []) throws {
            out = directory.path + "/otlp-\(UUID().uuidString).jsonl"
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", TelemetryTests.script, out] + arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            var text = ""
            while !text.contains("\n") {
                let data = pipe.fileHandleForReading.availableData
                if data.isEmpty { break }
                text += String(decoding: data, as: UTF8.self)
            }
            guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw ReceiverFailure() }
            self.port = port
        }

        var url: String { "http://127.0.0.1:\(port)" }

        /// Every request received so far, waiting up to `seconds` for at least `count`.
        func requests(atLeast count: Int = 1, seconds: Double = 15) -> [JSON] {
            let deadline = Date().addingTimeInterval(seconds)
            while true {
                let lines = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { try? JSON.parse(String($0)) }
                if lines.count >= count || Date() > deadline { return lines }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }

        /// The spans of every accepted request.
        func spans(atLeast count: Int = 1) -> [JSON] {
            requests(atLeast: count).flatMap { request in
                (request["request"]?["resourceSpans"]?.array ?? []).flatMap { ($0["scopeSpans"]?.array ?? []).flatMap { $0["spans"]?.array ?? [] } }
            }
        }

        deinit { process.terminate() }
    }

    struct ReceiverFailure: Error {}

    static func attribute(_ span: JSON, _ key: String) -> JSON? {
        span["attributes"]?.array?.first { $0["key"]?.string == key }?["value"]
    }

    static func project() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(prefix: "flow-otlp")
        try directory.write("triage.yaml", """
            flow: 1
            name: triage
            model: openai/gpt-4o-mini
            params: {temperature: 0.2, max_tokens: 50}
            vars: {ticket: "My invoice is wrong."}
            steps:
              - id: classify
                user: "Classify: {{ticket}}"
              - id: reply
                user: "Reply to the {{ticket}} ticket."
            """)
        return directory
    }

    @Test(.enabled(if: hasProto, Comment(rawValue: PythonModules.missing("opentelemetry-proto"))))
    func aRunsSpansFollowTheGenAIConventionsAndParseAsOTLP() async throws {
        let directory = try Self.project()
        let receiver = try Receiver(directory)
        let stub = try StubServer { _ in StubServer.Response(body: OpenAIWire.completion(content: "billing", promptTokens: 12, completionTokens: 3)) }
        defer { stub.stop() }
        let result = try FlowBinary.run(["run", "triage.yaml", "--otlp", receiver.url], in: directory.path,
                                        environment: ["OPENAI_API_KEY": "sk-otlp-test-00000", "OPENAI_BASE_URL": stub.baseURL + "/v1",
                                                      "OTEL_SERVICE_NAME": "triage-app", "OTEL_EXPORTER_OTLP_HEADERS": "x-team=support%20desk"])
        #expect(result.status == 0, "\(result.stderr)")
        let requests = receiver.requests()
        #expect(requests.allSatisfy { $0["error"] == nil }, "every body parses as ExportTraceServiceRequest: \(requests)")
        #expect(requests.first?["path"]?.string == "/v1/traces" && requests.first?["headers"]?["x-team"]?.string == "support desk")
        let resource = requests.first?["request"]?["resourceSpans"]?[0]?["resource"]?["attributes"]?.array ?? []
        #expect(resource.contains { $0["key"]?.string == "service.name" && $0["value"]?["stringValue"]?.string == "triage-app" })
        let spans = receiver.spans()
        let names = spans.compactMap { $0["name"]?.string }.sorted()
        #expect(names == ["chat gpt-4o-mini", "chat gpt-4o-mini", "flow.run triage", "flow.step classify", "flow.step reply"], "\(names)")
        let run = try #require(spans.first { $0["name"]?.string == "flow.run triage" })
        let step = try #require(spans.first { $0["name"]?.string == "flow.step classify" })
        let chat = try #require(spans.first { $0["name"]?.string?.hasPrefix("chat") == true && $0["parentSpanId"] == step["spanId"] })
        #expect(Set(spans.compactMap { $0["traceId"]?.string }).count == 1, "one trace")
        #expect(run["parentSpanId"] == nil && step["parentSpanId"] == run["spanId"])
        #expect(chat["kind"]?.string == "SPAN_KIND_CLIENT")
        #expect(Self.attribute(chat, "gen_ai.operation.name")?["stringValue"]?.string == "chat")
        #expect(Self.attribute(chat, "gen_ai.provider.name")?["stringValue"]?.string == "openai")
        #expect(Self.attribute(chat, "gen_ai.request.model")?["stringValue"]?.string == "gpt-4o-mini")
        #expect(Self.attribute(chat, "gen_ai.response.model")?["stringValue"]?.string == "gpt-4o-mini-2024-07-18", "the model the provider says answered")
        #expect(Self.attribute(chat, "gen_ai.request.temperature")?["doubleValue"]?.double == 0.2)
        #expect(Self.attribute(chat, "gen_ai.request.max_tokens")?["intValue"]?.string == "50")
        #expect(Self.attribute(chat, "gen_ai.usage.input_tokens")?["intValue"]?.string == "12")
        #expect(Self.attribute(chat, "gen_ai.usage.output_tokens")?["intValue"]?.string == "3")
        #expect(Self.attribute(chat, "gen_ai.response.finish_reasons")?["arrayValue"]?["values"]?[0]?["stringValue"]?.string == "stop")
        #expect(Self.attribute(chat, "flow.cassette_mode")?["stringValue"]?.string == "live")
        #expect(Self.attribute(run, "flow.status")?["stringValue"]?.string == "succeeded")
        #expect(Self.attribute(run, "flow.cost_usd")?["doubleValue"] != nil)
        #expect(run["status"]?["code"]?.string == "STATUS_CODE_OK")
        let text = requests.map(\.serialized).joined()
        #expect(!text.contains("sk-otlp-test-00000"), "no key in any span")
        #expect(!text.contains("My invoice is wrong"), "no prompt text without --otlp-content")

        // With --otlp-content the prompts and answers are on the call spans.
        let withContent = try Receiver(directory)
        let again = try FlowBinary.run(["run", "triage.yaml", "--otlp", withContent.url, "--otlp-content"], in: directory.path,
                                       environment: ["OPENAI_API_KEY": "sk-otlp-test-00000", "OPENAI_BASE_URL": stub.baseURL + "/v1"])
        #expect(again.status == 0)
        let chats = withContent.spans().filter { $0["name"]?.string?.hasPrefix("chat") == true }
        #expect(chats.contains { Self.attribute($0, "gen_ai.input.messages")?["stringValue"]?.string?.contains("My invoice is wrong") == true })
        #expect(chats.contains { Self.attribute($0, "gen_ai.output.messages")?["stringValue"]?.string == "billing" })
    }

    @Test func aCollectorThatIsDownNeverFailsOrHoldsTheRun() throws {
        let directory = try Self.project()
        try directory.write("mock.yaml", "flow: 1\nname: mock\nmodel: mock/m\nmock: [hi]\nsteps:\n  - id: a\n    user: hello\n")
        let started = Date()
        let result = try FlowBinary.run(["run", "mock.yaml", "--otlp", "http://127.0.0.1:9"], in: directory.path)
        #expect(result.status == 0 && result.stdout.contains("hi"))
        #expect(Date().timeIntervalSince(started) < 8, "the exit waits at most a second for the collector")
        #expect(result.stderr.contains("spans were not exported to http://127.0.0.1:9/v1/traces"), "\(result.stderr)")
        let bad = try FlowBinary.run(["run", "mock.yaml"], in: directory.path,
                                     environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"])
        #expect(bad.status == 64 && bad.stderr.contains("flow exports http/json only"), "\(bad.stderr)")
        let content = try FlowBinary.run(["run", "mock.yaml", "--otlp-content"], in: directory.path)
        #expect(content.status == 64 && content.stderr.contains("--otlp-content needs --otlp"))
    }

    @Test(.enabled(if: hasProto, Comment(rawValue: PythonModules.missing("opentelemetry-proto"))))
    func testCasesAndServeRunsAreTracedAndServeTakesTheCallersTraceparent() async throws {
        let directory = try Self.project()
        try FileManager.default.createDirectory(atPath: directory.path + "/workflows", withIntermediateDirectories: true)
        try directory.write("workflows/greet.yaml", """
            flow: 1
            name: greet
            model: mock/scripted
            mock: ["Hello!"]
            steps:
              - id: hello
                user: "Say hello."
            tests:
              - name: says hello
                expect: [{contains: Hello}]
              - name: says it again
                expect: [{contains: Hello}]
            """)
        let receiver = try Receiver(directory)
        let tested = try FlowBinary.run(["test", "workflows/greet.yaml", "--otlp", receiver.url], in: directory.path)
        #expect(tested.status == 0, "\(tested.stdout)")
        let testSpans = receiver.spans(atLeast: 1).filter { $0["name"]?.string == "flow.run greet" }
        #expect(testSpans.count == 2, "a run span per case")
        #expect(testSpans.allSatisfy { Self.attribute($0, "flow.cassette_mode")?["stringValue"]?.string == "mock" })

        let served = try Receiver(directory)
        let server = try ServeTests.Server(["workflows", "--otlp", served.url], in: directory.path)
        defer { server.terminate() }
        let parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        let (status, _, _) = try await ServeTests.request(server.base + "/v1/workflows/greet/runs", method: "POST", body: "{}", headers: ["traceparent": parent])
        #expect(status == 200)
        let run = served.spans().first { $0["name"]?.string == "flow.run greet" }
        #expect(run?["traceId"]?.string == "0af7651916cd43dd8448eb211c80319c")
        #expect(run?["parentSpanId"]?.string == "b7ad6b7169203331")
        #expect(TraceParent(header: "00-00000000000000000000000000000000-b7ad6b7169203331-01") == nil, "an all-zero trace id is refused")
    }
}
