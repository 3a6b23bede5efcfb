import Foundation
import FlowCore
import FlowSource
import FlowTemplate
import FlowYAML

/// libFuzzer entry: SwiftPM links its own `main`, so this one hands control to libFuzzer's
/// driver. The target comes from FLOW_FUZZ_TARGET because the arguments belong to libFuzzer.
/// Every parser must meet any bytes with a value or a thrown error, never a crash or a hang.
///
/// The driver is found with dlsym rather than linked by name, so that an ordinary
/// `swift build` (no fuzzer runtime) still links this target; `make fuzz` builds it with
/// `-sanitize=fuzzer` and `--export-dynamic`, which makes the symbol visible.
typealias FuzzerRunDriver = @convention(c) (
    UnsafeMutablePointer<Int32>,
    UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

enum FuzzTarget: String, CaseIterable {
    case yaml, workflow, template, sse, stream, openai, anthropic, gemini
}

let target = ProcessInfo.processInfo.environment["FLOW_FUZZ_TARGET"].flatMap(FuzzTarget.init) ?? {
    FileHandle.standardError.write(Data("set FLOW_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
    exit(64)
}()

func fuzz(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    switch target {
    case .yaml:
        _ = try? YAML.load(SourceFile(path: "fuzz.yaml", text: text))
    case .workflow:
        let source = SourceFile(path: "fuzz.yaml", text: text)
        if let root = try? YAML.load(source) { _ = try? WorkflowDecoder.decode(root, source: source) }
    case .template:
        // The first line is the template, the rest a JSON context.
        let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        guard let template = try? Template(String(parts[0])) else { return }
        let context = parts.count > 1 ? (try? JSON.parse(String(parts[1]))).map(TemplateValue.init) : nil
        let partials = PartialLibrary(["p": template])
        _ = try? template.render(root: context ?? .map([:]), options: RenderOptions(escaping: .html, missing: .empty, partials: partials, maxDepth: 16))
        _ = try? template.render(root: context ?? .map([:]), options: RenderOptions(partials: partials, maxDepth: 16))
    case .sse:
        var parser = SSEParser()
        parser.maxLineBytes = 1 << 16
        var decoders: [any StreamDecoder] = [OpenAIStreamDecoder(), AnthropicStreamDecoder(), GeminiStreamDecoder()]
        // Feed in two pieces split at the first byte's value, so splits vary with the input.
        let split = bytes.isEmpty ? 0 : Int(bytes[0]) % bytes.count
        for piece in [bytes[..<split], bytes[split...]] {
            guard let events = try? parser.feed(piece) else { return }
            for event in events { for index in decoders.indices { _ = try? decoders[index].consume(event) } }
        }
        for decoder in decoders { _ = try? decoder.finish() }
    case .stream:
        fuzzStream(bytes)
    case .openai:
        _ = try? OpenAIAdapter().decode(HTTPResponse(status: 200, body: bytes))
        _ = try? OpenAIAdapter().decode(HTTPResponse(status: 429, body: bytes))
    case .anthropic:
        _ = try? AnthropicAdapter().decode(HTTPResponse(status: 200, body: bytes))
    case .gemini:
        _ = try? GeminiAdapter().decode(HTTPResponse(status: 200, body: bytes))
    }
}

/// The streaming transport's byte handling: the first byte picks how many pieces the rest is cut
/// into and where. Whatever the cuts, each provider's stream must decode to the same answer (or
/// fail the same way) as the whole body fed at once, the size bound must stop at the same byte,
/// and any content encoding but identity must be refused.
func fuzzStream(_ bytes: [UInt8]) {
    guard let first = bytes.first else { return }
    let body = Array(bytes.dropFirst())
    let encoding = String(decoding: body.prefix(Int(first % 12)), as: UTF8.self)
    let refused = ArrivingBody.refusal(contentEncoding: encoding, origin: "fuzz") != nil
    let trimmed = encoding.trimmingCharacters(in: .whitespaces).lowercased()
    if refused == (trimmed.isEmpty || trimmed == "identity") { fatalError("content encoding '\(encoding)' was judged wrongly") }

    var cuts: [Int] = []
    var seed = UInt32(first) &* 2_654_435_761
    for _ in 0..<Int(first % 7) {
        seed = seed &* 1_103_515_245 &+ 12_345
        if !body.isEmpty { cuts.append(Int(seed >> 8) % body.count) }
    }
    cuts = Array(Set(cuts)).sorted()
    var pieces: [[UInt8]] = []
    var start = 0
    for cut in cuts where cut > start { pieces.append(Array(body[start..<cut])); start = cut }
    pieces.append(Array(body[start...]))

    let limit = 1 + Int(first) * 64
    var whole = ArrivingBody(limit: limit), split = ArrivingBody(limit: limit)
    let wholeFits = whole.accept(body.count)
    var splitFits = true
    for piece in pieces where splitFits { splitFits = split.accept(piece.count) }
    if wholeFits != splitFits { fatalError("the size bound depends on how the body was cut") }

    let decoders: [() -> any StreamDecoder] = [{ OpenAIStreamDecoder() }, { AnthropicStreamDecoder() }, { GeminiStreamDecoder() }]
    for make in decoders {
        let a = outcome([body], make()), b = outcome(pieces, make())
        if a != b { fatalError("cutting the stream changed its answer: \(a) vs \(b)") }
    }
}

/// The decoded answer's text and finish reason, or the error's kind.
func outcome(_ pieces: [[UInt8]], _ decoder: any StreamDecoder) -> String {
    var parser = SSEParser()
    parser.maxLineBytes = 1 << 16
    let state = StreamState(parser: parser, decoder: decoder) { _ in }
    do throws(ProviderError) {
        for piece in pieces { try state.feed(piece) }
        let response = try state.finish()
        return "\(response.content)|\(response.finishReason)|\(response.usage)"
    } catch {
        return "error \(error.kind)"
    }
}

/// Also the symbol libFuzzer's own main looks for, so the binary links either way.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzz(size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
_ = target
guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "LLVMFuzzerRunDriver") else {
    FileHandle.standardError.write(Data("flow-fuzz needs libFuzzer: build it with 'make fuzz'\n".utf8))
    exit(70)
}
let runDriver = unsafeBitCast(symbol, to: FuzzerRunDriver.self)
exit(runDriver(&argc, &argv) { data, size in
    fuzz(size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
})
