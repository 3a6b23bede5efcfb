import Testing
@testable import FlowCore

/// A cassette key is a promise to every committed recording: the same request must hash to the
/// same key across versions of flow, or every replay in every CI turns into a miss.
@Suite struct CassetteKeyTests {
    static let request = ChatRequest(
        model: "gpt-4o-mini",
        messages: [ChatMessage(.system, "You are terse."), ChatMessage(.user, "Capital of France?")],
        params: SamplingParams(temperature: 0, maxTokens: 20, stop: ["\n"], seed: 7),
        prefill: "The capital is")

    @Test func theKeyOfAKnownRequestNeverChanges() {
        let key = Cassette.key(Cassette.normalized(Self.request, provider: "openai"))
        #expect(key == "a9feb8f957940bcc14f7cbc151e649a84950cc380aae3ca1149fe956a931c555")
    }

    @Test func everyPartOfTheRequestIsInTheKey() {
        let base = Cassette.key(Cassette.normalized(Self.request, provider: "openai"))
        var other = Self.request
        other.params.temperature = 0.1
        #expect(Cassette.key(Cassette.normalized(other, provider: "openai")) != base)
        other = Self.request
        other.prefill = nil
        #expect(Cassette.key(Cassette.normalized(other, provider: "openai")) != base)
        #expect(Cassette.key(Cassette.normalized(Self.request, provider: "anthropic")) != base)
    }
}
