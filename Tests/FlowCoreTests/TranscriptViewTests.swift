import Testing
@testable import FlowCore

/// show, cost and diff over hand-written transcripts.
@Suite struct TranscriptViewTests {
    static func transcript(_ lines: [String], path: String = "a.jsonl") throws -> TranscriptReader.Transcript {
        try TranscriptReader.parse(lines.joined(separator: "\n") + "\n", path: path)
    }

    static let run = [
        #"{"seq":1,"type":"run_start","name":"triage","workflow":"w.yaml","workflow_sha256":"aaaaaaaaaaaaaaaa","inputs":{"t":"x"},"started_at":"2026-11-24T10:00:00Z"}"#,
        #"{"seq":2,"type":"step_start","step":"classify","model":"openai/gpt-4o-mini"}"#,
        #"{"seq":3,"type":"request","step":"classify","provider":"openai","model":"gpt-4o-mini","messages":[{"role":"user","content":"Classify: x"}],"params":{"temperature":0.0},"prefill":"Category:"}"#,
        #"{"seq":4,"type":"retry","step":"classify","attempt":1,"status":429,"error":"OpenAI answered HTTP 429","delay_s":0.5}"#,
        #"{"seq":5,"type":"response","step":"classify","finish_reason":"stop","finish_reason_raw":"stop","content":" billing","usage":{"input_tokens":100,"output_tokens":2},"cost_usd":0.0000162,"latency_ms":12.4}"#,
        #"{"seq":6,"type":"branch","step":"classify","finish_reason":"stop","action":"goto billing","default":false}"#,
        #"{"seq":7,"type":"run_end","status":"succeeded","totals":{"calls":1,"input_tokens":100,"output_tokens":2,"cost_usd":0.0000162}}"#,
    ]

    @Test func showReadsLikeAConversation() throws {
        let text = TranscriptViews.show(try Self.transcript(Self.run), style: PlainStyle())
        #expect(text == """
            run triage (w.yaml) — succeeded
              sha256 aaaaaaaaaaaa · 2026-11-24T10:00:00Z

            ── step classify · openai/gpt-4o-mini
              user:
                Classify: x
              retry 1: OpenAI answered HTTP 429 — waited 0.5 s
              assistant:
                Category: billing
              stop (raw stop) · 100 in / 2 out tokens · $0.000016 · 12 ms
              → stop: goto billing

            totals: 1 call · 100 in / 2 out tokens · $0.000016 spent

            """)
        #expect(TranscriptViews.show(try Self.transcript(Self.run), style: MarkerStyle()).contains("<green>succeeded</green>"))
    }

    @Test func rateLimitWaitsAreShownWithTheirReason() throws {
        var lines = Self.run
        lines[3] = #"{"seq":4,"type":"rate_limit_wait","step":"classify","reason":"rate_limited","status":429,"seconds":0.25}"#
        lines.insert(#"{"seq":4,"type":"rate_limit_wait","step":"classify","reason":"pacing","status":null,"seconds":1.5}"#, at: 3)
        let text = TranscriptViews.show(try Self.transcript(lines), style: PlainStyle())
        #expect(text.contains("""
                Classify: x
              paced to the provider's rate limit: waited 1.5 s
              rate-limited (HTTP 429): waited 0.25 s and sent it again
              assistant:
            """), "\(text)")
    }

    @Test func costGroupsByWorkflowModelAndDay() throws {
        var other = Self.run
        other[4] = other[4].replacingOccurrences(of: #""cost_usd":0.0000162"#, with: #""cost_usd":null"#)
        let tables = TranscriptViews.cost([try Self.transcript(Self.run), try Self.transcript(other, path: "b.jsonl")])
        #expect(tables["workflow"] == [TranscriptViews.CostRow(group: "triage", runs: 2, calls: 2, inputTokens: 200, outputTokens: 4, costUSD: nil)])
        #expect(tables["model"]?.first?.group == "openai/gpt-4o-mini")
        #expect(tables["day"]?.first?.group == "2026-11-24")
        let priced = TranscriptViews.cost([try Self.transcript(Self.run)])
        #expect(priced["workflow"]?.first?.costUSD == 0.0000162)
        #expect(TranscriptViews.costTable(tables).contains("triage         2      2       200         4     unknown      0%\n"))
    }

    @Test func diffFindsTheFirstDivergence() throws {
        var changed = Self.run
        changed[2] = changed[2].replacingOccurrences(of: #""temperature":0.0"#, with: #""temperature":0.5"#)
        changed[6] = changed[6].replacingOccurrences(of: #""input_tokens":100"#, with: #""input_tokens":120"#)
        let (text, differs) = TranscriptViews.diff(try Self.transcript(Self.run), try Self.transcript(changed, path: "b.jsonl"))
        #expect(differs)
        #expect(text.contains("first difference at call 1 (step 'classify'), in the request:\n  params.temperature: 0.0 → 0.5\n"))
        #expect(text.contains("input tokens 100 → 120 (+20)"))
        var answer = Self.run
        answer[4] = answer[4].replacingOccurrences(of: #"" billing""#, with: #"" shipping""#)
        let (answerText, _) = TranscriptViews.diff(try Self.transcript(Self.run), try Self.transcript(answer, path: "b.jsonl"))
        #expect(answerText.contains("in the response:\n  -  billing\n  +  shipping\n"))
        let (same, sameDiffers) = TranscriptViews.diff(try Self.transcript(Self.run), try Self.transcript(Self.run, path: "b.jsonl"))
        #expect(!sameDiffers)
        #expect(same.contains("the same requests and answers\n"))
    }
}

/// Marks styled text with tags, so a test sees which parts a view styles and how.
struct MarkerStyle: TextStyle {
    func bold(_ text: String) -> String { "<bold>\(text)</bold>" }
    func dim(_ text: String) -> String { "<dim>\(text)</dim>" }
    func red(_ text: String) -> String { "<red>\(text)</red>" }
    func green(_ text: String) -> String { "<green>\(text)</green>" }
    func yellow(_ text: String) -> String { "<yellow>\(text)</yellow>" }
}
