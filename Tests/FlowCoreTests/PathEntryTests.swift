import Testing
@testable import FlowCore

/// Path entries are typed for the code that decides on them and keep the words records use.
@Suite struct PathEntryTests {
    @Test(arguments: [("stop", "next"), ("length", "continue"), ("error", "retry"), ("tool_calls", "tools"),
                      ("content_filter", "fail"), ("stop", "goto reply"), ("end_of_input", "end"), ("exit", "end")])
    func wordsRoundTrip(reason: String, action: String) {
        let entry = PathEntry("s", reason, action)
        #expect(entry.reason == reason && entry.action == action)
        #expect(PathEntry("s", entry.ending, entry.followed) == entry)
    }

    @Test func actionsMapToWhatFollowed() {
        #expect(PathEntry.Followed(.continueAnswer(2)) == .continue)
        #expect(PathEntry.Followed(.goto("reply")).name == "goto reply")
        #expect(PathEntry.Followed(.retry(RetrySpec(count: 1, params: SamplingParams(), model: nil))).staysInVisit)
        #expect(!PathEntry.Followed(.next).staysInVisit)
        #expect(PathEntry("s", "stop", "next").ending == .finish(.stop))
        #expect(PathEntry("s", "exit", "end").ending == .exit)
    }
}
