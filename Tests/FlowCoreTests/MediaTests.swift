import Foundation
import FlowSource
import FlowYAML
import Testing
@testable import FlowCore

/// Images and documents in user turns: typed by their bytes, encoded in each provider's
/// documented form, held to each provider's limits before sending, recorded by path and sha256.
@Suite struct MediaTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
    static let pdf = Array("%PDF-1.4 x".utf8)

    @Test func typedByTheirBytes() {
        #expect(Media.sniff(Self.png) == "image/png")
        #expect(Media.sniff([0xFF, 0xD8, 0xFF, 0xE0]) == "image/jpeg")
        #expect(Media.sniff(Array("GIF89a..".utf8)) == "image/gif")
        #expect(Media.sniff(Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8)) == "image/webp")
        #expect(Media.sniff(Self.pdf) == "application/pdf")
        #expect(Media.sniff(Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVE".utf8)) == nil)
        #expect(Media.sniff(Array("<svg>".utf8)) == nil)
    }

    @Test func base64AgreesWithFoundation() {
        var state: UInt64 = 7
        for length in [0, 1, 2, 3, 4, 5, 64, 1000] {
            let bytes = (0..<length).map { _ -> UInt8 in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(truncatingIfNeeded: state >> 33)
            }
            #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString())
        }
    }

    static var request: ChatRequest {
        var user = ChatMessage(.user, "What is it?")
        user.parts = [.media(Media(kind: .image, mediaType: "image/png", data: png, path: "media/a.png", detail: "low")),
                      .media(Media(kind: .document, mediaType: "application/pdf", data: pdf, path: "media/b.pdf")),
                      .text("What is it?")]
        return ChatRequest(model: "m", messages: [user], params: SamplingParams(maxTokens: 10))
    }

    @Test func encodedInEachProvidersForm() throws {
        let png = Base64.encode(Self.png), pdf = Base64.encode(Self.pdf)
        #expect(OpenAIAdapter().body(for: Self.request)["messages"]?.serialized == #"[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,"# + png + #"","detail":"low"}},{"type":"file","file":{"filename":"b.pdf","file_data":"data:application/pdf;base64,"# + pdf + #""}},{"type":"text","text":"What is it?"}]}]"#)
        #expect(try AnthropicAdapter().body(for: Self.request)["messages"]?.serialized == #"[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":""# + png + #""}},{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":""# + pdf + #""}},{"type":"text","text":"What is it?"}]}]"#)
        #expect(try GeminiAdapter().body(for: Self.request)["contents"]?.serialized == #"[{"role":"user","parts":[{"inlineData":{"mimeType":"image/png","data":""# + png + #""}},{"inlineData":{"mimeType":"application/pdf","data":""# + pdf + #""}},{"text":"What is it?"}]}]"#)
        // A URL goes as a URL where the provider fetches one.
        var byURL = ChatMessage(.user, "x")
        byURL.parts = [.media(Media(kind: .image, url: "https://example.com/a.png")), .text("x")]
        let request = ChatRequest(model: "m", messages: [byURL], params: SamplingParams(maxTokens: 10))
        #expect(try AnthropicAdapter().body(for: request)["messages"]?.array?.first?["content"]?.array?.first?.serialized
                == #"{"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}"#)
        #expect(throws: ProviderError(.configuration, "Gemini takes images and documents inline, not by URL ('https://example.com/a.png'): put the file in the project and name it with file:")) {
            try GeminiAdapter().check(request)
        }
    }

    @Test func eachProvidersLimitsBeforeSending() {
        var big = ChatMessage(.user, "…")
        big.parts = [.media(Media(kind: .image, mediaType: "image/png", data: [UInt8](repeating: 0, count: (5 << 20) + 1), path: "big.png").standIn)]
        let request = ChatRequest(model: "claude-haiku-4-5", messages: [big], params: SamplingParams(maxTokens: 10))
        #expect(throws: ProviderError(.configuration, "'big.png' is 5.0 MB; Anthropic takes an image of at most 5.0 MB")) {
            try AnthropicAdapter().check(request)
        }
        // The same image is within OpenAI's 20 MB.
        #expect(throws: Never.self) { try OpenAIAdapter().check(request) }
        let compatible = OpenAIAdapter(providerName: "local", baseURL: "http://localhost:8000/v1", maxTokensField: .maxTokens)
        #expect(throws: ProviderError(.configuration, "local is an OpenAI-compatible server, which takes images but no documents: remove the 'document:' part or run the step on openai, anthropic or gemini")) {
            try compatible.check(Self.request)
        }
    }

    @Test func recordedByPathAndDigestNeverBytes() {
        let recorded = Cassette.message(Self.request.messages[0]).serialized
        #expect(recorded.contains(#""path":"media/a.png""#) && recorded.contains(SHA256.hex(Self.png)))
        #expect(!recorded.contains(Base64.encode(Self.png)))
        var changed = Self.request
        changed.messages[0].parts[0] = .media(Media(kind: .image, mediaType: "image/png", data: Self.png + [9], path: "media/a.png"))
        #expect(Cassette.message(changed.messages[0]) != Cassette.message(Self.request.messages[0]))
    }

    func decode(_ user: String) -> String { WorkflowText.problems("flow: 1\nmodel: mock/m\nsteps:\n  - id: a\n    user:\n\(user)") }

    @Test func partsAreCheckedWhenDecoded() {
        #expect(decode("      - image: {file: a.png, detail: low}\n      - Describe it.\n") == "no error")
        #expect(decode("      - image: {file: a.png, detail: max}\n").contains("w.yaml:6:38: error: 'detail' must be low, high or auto, got 'max'"))
        #expect(decode("      - image: {file: a.png, url: \"https://x/a.png\"}\n").contains("'image' has both 'file' and 'url'"))
        #expect(decode("      - document: {url: \"http://x/a.pdf\"}\n").contains("'url' must start with https://, got 'http://x/a.pdf'"))
        #expect(decode("      - document: {file: a.pdf, detail: low}\n").contains("unknown key 'detail' in 'document'"))
        #expect(decode("      []\n").contains("'user' is an empty list"))
    }
}
