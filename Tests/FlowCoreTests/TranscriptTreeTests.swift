import Testing
@testable import FlowCore

/// `flow diff` over runs whose mapped items answered in different orders: calls are paired with
/// their own item's answer and lined up in the items' order, so only a real change shows.
@Suite struct TranscriptTreeTests {
    func event(_ type: EventType, step: String, item: Int? = nil, call: String? = nil, _ fields: [(String, JSON)] = []) -> JSON {
        var pairs: [(String, JSON)] = [("type", .string(type.rawValue)), ("step", .string(step))]
        if let item { pairs.append(("item", .int(item))) }
        if let call { pairs.append(("call", .string(call))) }
        return .object(pairs + fields)
    }

    func request(_ step: String, item: Int, call: String? = nil) -> JSON {
        event(.request, step: step, item: item, call: call, [("messages", .array([.object([("role", .string("user")), ("content", .string("ticket \(item)"))])]))])
    }

    func response(_ step: String, item: Int, call: String? = nil, _ text: String) -> JSON {
        event(.response, step: step, item: item, call: call, [("content", .string(text)), ("finish_reason_raw", .string("stop"))])
    }

    /// Three items sent in order, answered in `order`; item 3 answers `third`.
    func run(answering order: [Int], third: String = "c") -> TranscriptReader.Transcript {
        var events = [event(.runStart, step: "-"), event(.mapStart, step: "classify")]
        events += (0..<3).map { request("classify", item: $0) }
        events += order.map { response("classify", item: $0, ["a", "b", third][$0]) }
        return TranscriptReader.Transcript(path: "t", events: events, truncated: false)
    }

    @Test func itemsAnsweredInAnotherOrderAreTheSameRun() {
        let (text, differs) = TranscriptViews.diff(run(answering: [0, 1, 2]), run(answering: [2, 0, 1]))
        #expect(!differs, "\(text)")
        #expect(text.contains("the same requests and answers"))
    }

    @Test func aChangedItemIsNamedByItsNumber() {
        let (text, differs) = TranscriptViews.diff(run(answering: [1, 2, 0]), run(answering: [0, 2, 1], third: "changed"))
        #expect(differs)
        #expect(text.contains("first difference at call 3 (step 'classify · item 3'), in the response"), "\(text)")
    }

    @Test func aCalledWorkflowsCallsAreLabelledWithTheCallsPath() {
        var events = [event(.runStart, step: "-"), event(.mapStart, step: "replies")]
        events += [request("draft", item: 1, call: "replies"), request("draft", item: 0, call: "replies"),
                   response("draft", item: 0, call: "replies", "x"), response("draft", item: 1, call: "replies", "y")]
        let calls = TranscriptViews.calls(TranscriptReader.Transcript(path: "t", events: events, truncated: false))
        #expect(calls.map(\.label) == ["replies/draft · item 1", "replies/draft · item 2"])
        #expect(calls.map { $0.response["content"]?.string } == ["x", "y"])
    }
}
