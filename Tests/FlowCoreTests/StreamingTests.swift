import Testing
@testable import FlowCore

@Suite struct SSEParserTests {
    func events(_ text: String) throws -> [SSEEvent] {
        var parser = SSEParser()
        var events = try parser.feed(Array(text.utf8))
        if let last = parser.finish() { events.append(last) }
        return events
    }

    @Test func fieldsCommentsAndLineEnds() throws {
        #expect(try events("event: a\ndata: 1\n\n: comment\ndata:2\ndata:  3\n\n") == [
            SSEEvent(name: "a", data: "1"), SSEEvent(data: "2\n 3"),
        ])
        #expect(try events("data: x\r\n\r\ndata: y\r\rdata: z") == [SSEEvent(data: "x"), SSEEvent(data: "y"), SSEEvent(data: "z")])
        #expect(try events("id: 7\nretry: 10\n\n") == [], "an event without data is not dispatched")
        #expect(try events("data\n\n") == [SSEEvent(data: "")])
    }

    @Test func aLineWithoutEndIsBounded() {
        var parser = SSEParser()
        parser.maxLineBytes = 100
        #expect(throws: ProviderError(.decode, "a server-sent event line is longer than 100 bytes")) {
            _ = try parser.feed([UInt8](repeating: 0x61, count: 101))
        }
    }
}

/// Each provider's stream, fed whole, split at every byte boundary, and byte by byte, gives the
/// same text and the same response as the non-streamed call would.
@Suite struct StreamDecoderTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var fixture: String
        var expected: ChatResponse
        var makeDecoder: @Sendable () -> any StreamDecoder
        var testDescription: String { fixture }
    }

    static let cases = [
        Case(fixture: "openai/stream-stop.sse",
             expected: ChatResponse(content: "Hello, wörld! 👋", finishReason: .stop(raw: "stop"),
                                    usage: Usage(inputTokens: 9, outputTokens: 6), model: "gpt-4o-mini-2024-07-18"),
             makeDecoder: { OpenAIStreamDecoder() }),
        Case(fixture: "anthropic/stream-max-tokens.sse",
             expected: ChatResponse(content: "Hello — and then", finishReason: .length(raw: "max_tokens"),
                                    usage: Usage(inputTokens: 125, outputTokens: 15, cachedInputTokens: 100),
                                    model: "claude-haiku-4-5-20251001"),
             makeDecoder: { AnthropicStreamDecoder() }),
        Case(fixture: "gemini/stream-stop.sse",
             expected: ChatResponse(content: "Bonjour le monde.", finishReason: .stop(raw: "STOP"),
                                    usage: Usage(inputTokens: 4, outputTokens: 4), model: "gemini-2.5-flash"),
             makeDecoder: { GeminiStreamDecoder() }),
    ]

    func decode(_ chunks: [ArraySlice<UInt8>], _ makeDecoder: () -> any StreamDecoder) throws -> (String, ChatResponse) {
        var parser = SSEParser()
        var decoder = makeDecoder()
        var text = ""
        for chunk in chunks {
            for event in try parser.feed(chunk) { text += try decoder.consume(event) }
        }
        if let event = parser.finish() { text += try decoder.consume(event) }
        return (text, try decoder.finish())
    }

    @Test(arguments: cases)
    func everySplitGivesTheSameResponse(_ testCase: Case) throws {
        let bytes = try Fixture.bytes(testCase.fixture)
        let (text, whole) = try decode([bytes[...]], testCase.makeDecoder)
        #expect(whole == testCase.expected)
        #expect(text == testCase.expected.content)
        for split in 1..<bytes.count {
            let (splitText, response) = try decode([bytes[..<split], bytes[split...]], testCase.makeDecoder)
            guard response == whole, splitText == text else {
                Issue.record("split at byte \(split) of \(testCase.fixture) gave \(response)")
                return
            }
        }
        let (byteText, byteByByte) = try decode(bytes.indices.map { bytes[$0...$0] }, testCase.makeDecoder)
        #expect(byteByByte == whole)
        #expect(byteText == text)
    }

    @Test func aStreamCutBeforeItsEndIsAnError() throws {
        let bytes = try Fixture.bytes("anthropic/stream-max-tokens.sse")
        let cut = bytes[..<(bytes.count / 2)]
        #expect(throws: ProviderError(.decode, "Anthropic's stream ended before message_delta gave a stop reason", retryable: true)) {
            _ = try decode([cut], { AnthropicStreamDecoder() })
        }
    }

    @Test func errorEventsEndTheStream() {
        var decoder = AnthropicStreamDecoder()
        #expect(throws: ProviderError(.http, "Anthropic stream error: Overloaded (overloaded_error)", errorType: "overloaded_error", retryable: true)) {
            _ = try decoder.consume(SSEEvent(name: "error", data: #"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"#))
        }
    }
}
