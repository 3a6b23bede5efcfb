import Foundation

/// What `flow show`, `flow cost` and `flow diff` print, computed from transcripts. Pure: the
/// commands read the files and print; these functions only look at events.
public enum TranscriptViews {

    static func dollars(_ value: JSON?) -> String { Money.text(value?.double) }

    /// A response's cost: money spent, or for a replayed or scripted answer what it cost when recorded.
    static func responseCost(_ event: JSON) -> String {
        switch event["mode"]?.string {
        case "replay"?: return "replayed, recorded at \(dollars(event["recorded_cost_usd"]))"
        case "mock"?: return "scripted, $0"
        default: return dollars(event["cost_usd"])
        }
    }

    /// The first tokens of an answer with their probabilities and the alternatives the model
    /// weighed: `logprobs: 'yes' 97% (no 2%, maybe 1%) · …`, at most five tokens.
    static func logprobLine(_ tokens: [JSON]) -> String {
        func percent(_ logprob: Double?) -> String {
            guard let logprob else { return "?" }
            let value = exp(logprob) * 100
            return value >= 10 || value == 0 ? "\(Int(value.rounded()))%" : String(format: "%.1f%%", value)
        }
        let shown = tokens.prefix(5).map { token -> String in
            let alternatives = (token["top"]?.array ?? []).filter { $0["token"] != token["token"] }.prefix(3)
                .map { "\(JSON.string($0["token"]?.string ?? "").serialized) \(percent($0["logprob"]?.double))" }
            return "\(JSON.string(token["token"]?.string ?? "").serialized) \(percent(token["logprob"]?.double))"
                + (alternatives.isEmpty ? "" : " (\(alternatives.joined(separator: ", ")))")
        }
        return "  logprobs: " + shown.joined(separator: " · ") + (tokens.count > 5 ? " · …" : "")
    }

    static func indent(_ text: String, _ prefix: String = "    ") -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { prefix + $0 }.joined(separator: "\n")
    }

    // MARK: show

    /// The run as a person reads it: turns, branches, tokens, cost, retries, tools, errors.
    public static func show(_ transcript: TranscriptReader.Transcript, style: any TextStyle = PlainStyle()) -> String {
        var out = ""
        let start = transcript.first(.runStart)
        let end = transcript.all(.runEnd).last
        let status = end?["status"]?.string ?? "unfinished"
        let colored = status == "succeeded" ? style.green(status) : style.red(status)
        out += style.bold("run \(start?["name"]?.string ?? "?")") + " (\(start?["workflow"]?.string ?? "?")) — \(colored)\n"
        var facts: [String] = []
        if let sha = start?["workflow_sha256"]?.string { facts.append("sha256 \(sha.prefix(12))") }
        if let commit = start?["git_commit"]?.string {
            facts.append("commit \(commit.prefix(7))" + (start?["git_dirty"] == .bool(true) ? " (dirty)" : ""))
        }
        if let started = start?["started_at"]?.string { facts.append(started) }
        if !facts.isEmpty { out += style.dim("  " + facts.joined(separator: " · ")) + "\n" }
        if transcript.truncated { out += style.yellow("  (the last line was cut off: the run was killed)") + "\n" }

        var prefill: String?
        var systemShown: String?
        // Steps side by side and mapped items interleave their events: when an event belongs to
        // another step than the one shown last, its step is named again.
        var section: String?
        let continuing: Set<EventType> = [.request, .response, .branch, .retry, .rateLimitWait, .toolCall, .toolResult, .contextTrim]
        for event in transcript.events {
            var piece = ""
            let type = EventType(of: event)
            if let step = event["step"]?.string, let type {
                let key = "\(event["call"]?.string ?? "")|\(step)|\(event["item"]?.int ?? -1)"
                if continuing.contains(type), section != key {
                    piece += "\n" + style.bold("── step \(step)\(itemTag(event))") + style.dim(" (continued)") + "\n"
                }
                section = key
            }
            switch type {
            case .stepStart?:
                // A mapped step's items are numbered from 1 as people count them.
                piece += "\n" + style.bold("── step \(event["step"]?.string ?? "?")\(itemTag(event))") + style.dim(" · \(event["model"]?.string ?? "")") + "\n"
            case .callStart?:
                let inputs = (event["inputs"]?.pairs ?? []).map { "\($0.0)=\(($0.1.string ?? $0.1.serialized).prefix(40))" }
                piece += "\n" + style.bold("── step \(event["step"]?.string ?? "?") calls \(event["workflow"]?.string ?? "?")\(itemTag(event))")
                    + style.dim(inputs.isEmpty ? "" : " · " + inputs.joined(separator: ", ")) + "\n"
            case .callEnd?:
                let succeeded = event["status"]?.string == "succeeded"
                piece += "  ← \(event["step"]?.string ?? "?"): " + (succeeded ? style.green("succeeded") : style.red("failed")) + "\n"
                if let output = event["output"]?.string { piece += indent(output) + "\n" }
            case .input?:
                piece += "  " + style.dim("(read from input)") + "\n"
            case .request?:
                // The system prompt where it first appears or changes: a reviewer reads it once.
                if let system = event["messages"]?.array?.first(where: { $0["role"] == .string("system") })?["content"]?.string,
                   system != systemShown {
                    piece += "  system:\n" + indent(system.hasSuffix("\n") ? String(system.dropLast()) : system) + "\n"
                    systemShown = system
                }
                if let last = event["messages"]?.array?.last, last["role"] == .string("user") {
                    piece += "  user:\n" + indent(last["content"]?.string ?? "") + "\n"
                    for media in last["media"]?.array ?? [] { piece += "    [" + Media.line(media) + "]\n" }
                }
                prefill = event["prefill"]?.string
            case .response?:
                if let thinking = event["reasoning"]?.string {
                    piece += style.dim("  thinking:\n" + indent(thinking)) + "\n"
                }
                let text = (prefill ?? "") + (event["content"]?.string ?? "")
                piece += "  assistant:\n" + indent(text) + "\n"
                let usage = event["usage"]
                if let tokens = event["logprobs"]?.array, !tokens.isEmpty { piece += style.dim(Self.logprobLine(tokens)) + "\n" }
                piece += style.dim("  \(event["finish_reason"]?.string ?? "?") (raw \(event["finish_reason_raw"]?.string ?? "?")) · \(usage?["input_tokens"]?.int ?? 0) in / \(usage?["output_tokens"]?.int ?? 0) out tokens · \(responseCost(event)) · \(Int((event["latency_ms"]?.double ?? 0).rounded())) ms") + "\n"
            case .branch? where ["exit", "end_of_input"].contains(event["finish_reason"]?.string ?? ""):
                piece += "  " + (event["input"]?.string.map { "'\($0)' typed: the chat ended" } ?? "input ended: the chat ended") + "\n"
            case .branch?:
                var marker = event["default"] == .bool(true) ? " (default)" : ""
                if let condition = event["condition"]?.string, condition != "always" {
                    marker += style.dim(" (\(condition)" + (event["confidence"]?.double.map { ", confidence \($0)" } ?? "") + ")")
                } else if let confidence = event["confidence"]?.double {
                    // A confidence test that did not hold: how near the threshold the answer was.
                    marker += style.dim(" (confidence \(confidence))")
                }
                piece += "  → \(event["finish_reason"]?.string ?? "?"): \(style.bold(event["action"]?.string ?? "?"))\(marker)\n"
            case .retry?:
                piece += style.yellow("  retry \(event["attempt"]?.int ?? 0): \(event["error"]?.string ?? "") — waited \(event["delay_s"]?.double ?? 0) s") + "\n"
            case .rateLimitWait?:
                let seconds = event["seconds"]?.double ?? 0
                piece += style.yellow(event["reason"]?.string == "rate_limited"
                    ? "  rate-limited (HTTP \(event["status"]?.int ?? 429)): waited \(seconds) s and sent it again"
                    : "  paced to the provider's rate limit: waited \(seconds) s") + "\n"
            case .toolCall?:
                piece += "  tool \(event["name"]?.string ?? "?")(\(event["arguments"]?.serialized ?? ""))\n"
            case .toolResult?:
                let result = event["content"]?.string ?? ""
                piece += (event["is_error"] == .bool(true) ? style.red("    error: " + result) : "    → " + result) + "\n"
            case .contextTrim?:
                piece += style.dim("  (dropped \(event["removed_messages"]?.int ?? 0) old messages to fit the context)") + "\n"
            case .warning?:
                piece += style.yellow("  warning: \(event["message"]?.string ?? "")") + "\n"
            case .error?:
                piece += style.red("  error: \(event["message"]?.string ?? "")") + "\n"
            default:
                break
            }
            // A called workflow's events sit under its call, one bar per level of calls.
            let depth = event["call"]?.string.map { $0.split(separator: "/").count } ?? 0
            if depth == 0 || piece.isEmpty {
                out += piece
            } else {
                let bars = String(repeating: "│ ", count: depth)
                out += piece.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
                    .map { $0.isEmpty ? String(bars.dropLast()) : bars + $0 }.joined(separator: "\n") + "\n"
            }
        }
        if let totals = end?["totals"] {
            var spent = "\(dollars(totals["cost_usd"])) spent"
            if let offline = totals["offline_calls"]?.int, offline > 0 {
                spent += " (\(counted(offline, "call")) replayed or scripted, recorded at \(dollars(totals["recorded_cost_usd"])))"
            }
            out += "\n" + style.bold("totals") + ": \(counted(totals["calls"]?.int ?? 0, "call")) · \(totals["input_tokens"]?.int ?? 0) in / \(totals["output_tokens"]?.int ?? 0) out tokens · \(spent)\n"
        }
        return out
    }

    /// A mapped item's number, counted from 1 as people count.
    private static func itemTag(_ event: JSON) -> String { event["item"]?.int.map { " · item \($0 + 1)" } ?? "" }

    // MARK: list

    /// One line per run: when, workflow, status, calls, tokens, money spent, and the path.
    public static func list(_ transcripts: [TranscriptReader.Transcript]) -> String {
        transcripts.map { transcript in
            let start = transcript.first(.runStart), end = transcript.all(.runEnd).last
            let started = (start?["started_at"]?.string ?? "?").replacingOccurrences(of: "T", with: " ").prefix(19)
            let status = end?["status"]?.string ?? (transcript.truncated ? "killed" : "unfinished")
            let totals = end?["totals"]
            let calls = counted(totals?["calls"]?.int ?? transcript.all(.response).count, "call")
            let tokens = (totals?["input_tokens"]?.int ?? 0) + (totals?["output_tokens"]?.int ?? 0)
            return "\(started)  \((start?["name"]?.string ?? "?").padding(toLength: 16, withPad: " ", startingAt: 0)) "
                + "\(status.padding(toLength: 11, withPad: " ", startingAt: 0)) \(calls), \(tokens) tokens, "
                + "\(dollars(totals?["cost_usd"])) spent  \(transcript.path)"
        }.joined(separator: "\n") + "\n"
    }

    // MARK: cost

    /// Totals for one group (a workflow, a model or a day).
    public struct CostRow: Sendable, Equatable {
        /// The workflow, model or day.
        public var group: String
        /// Runs with at least one counted call.
        public var runs: Int
        /// Calls counted.
        public var calls: Int
        /// Input tokens (saturating).
        public var inputTokens: Int
        /// Output tokens (saturating).
        public var outputTokens: Int
        /// Nil when a call in the group had no price.
        public var costUSD: Double?
        /// Input tokens read from the provider's prompt cache (saturating).
        public var cachedInputTokens = 0

        /// The share of input tokens read from cache, 0 to 1; nil without input.
        public var cacheHitRate: Double? {
            inputTokens > 0 ? Double(cachedInputTokens) / Double(inputTokens) : nil
        }
    }

    /// Totals by workflow, model and day over the live responses in the transcripts: replayed and
    /// scripted answers cost nothing, so they are left out unless `includeOffline`, which counts
    /// them at their recorded cost. A response without `mode` (older transcripts) counts as live.
    public static func cost(_ transcripts: [TranscriptReader.Transcript], includeOffline: Bool = false) -> [String: [CostRow]] {
        var tables: [String: [String: CostRow]] = ["workflow": [:], "model": [:], "day": [:]]
        for transcript in transcripts {
            let start = transcript.first(.runStart)
            let workflow = start?["name"]?.string ?? "?"
            let day = String((start?["started_at"]?.string ?? "unknown").prefix(10))
            var model = "?"
            var seen: [String: Set<String>] = [:]
            // A called workflow's answers count under its own name, found by the call's path.
            var called: [String: String] = [:]
            for event in transcript.events {
                if EventType(of: event) == .stepStart { model = event["model"]?.string ?? "?" }
                if EventType(of: event) == .callStart, let step = event["step"]?.string {
                    called[(event["call"]?.string.map { $0 + "/" } ?? "") + step] = event["name"]?.string ?? event["workflow"]?.string
                }
                guard EventType(of: event) == .response else { continue }
                let workflow = event["call"]?.string.flatMap { called[$0] } ?? workflow
                let live = (event["mode"]?.string ?? "live") == "live"
                guard live || includeOffline else { continue }
                let cost = live ? event["cost_usd"]?.double : event["recorded_cost_usd"]?.double
                for (table, group) in [("workflow", workflow), ("model", model), ("day", day)] {
                    var row = tables[table]![group] ?? CostRow(group: group, runs: 0, calls: 0, inputTokens: 0, outputTokens: 0, costUSD: 0)
                    if seen[table, default: []].insert(group).inserted { row.runs += 1 }
                    row.calls += 1
                    // Transcripts are files anyone may hand over: sums saturate, negatives count as 0.
                    row.inputTokens = TokenCount.add(row.inputTokens, event["usage"]?["input_tokens"]?.int ?? 0)
                    row.outputTokens = TokenCount.add(row.outputTokens, event["usage"]?["output_tokens"]?.int ?? 0)
                    row.cachedInputTokens = TokenCount.add(row.cachedInputTokens, event["usage"]?["cached_input_tokens"]?.int ?? 0)
                    if let total = row.costUSD, let cost, cost.isFinite, cost >= 0 { row.costUSD = total + cost } else { row.costUSD = nil }
                    tables[table]![group] = row
                }
            }
        }
        return tables.mapValues { $0.values.sorted { $0.group < $1.group } }
    }

    /// The three tables as text, or a line saying there were no live calls.
    public static func costTable(_ tables: [String: [CostRow]]) -> String {
        if tables.values.allSatisfy(\.isEmpty) {
            return "no live calls in these transcripts (replayed and scripted calls cost nothing; --include-replays counts them at their recorded cost)\n"
        }
        var out = ""
        for name in ["workflow", "model", "day"] {
            let rows = tables[name] ?? []
            let width = max(name.count, rows.map(\.group.count).max() ?? 0) + 2
            out += name.padding(toLength: width, withPad: " ", startingAt: 0) + "  runs  calls     input    output        cost  cached\n"
            for row in rows {
                out += row.group.padding(toLength: width, withPad: " ", startingAt: 0)
                    + String(format: "%6d %6d %9d %9d", row.runs, row.calls, row.inputTokens, row.outputTokens)
                    + "  " + Money.text(row.costUSD).replacingOccurrences(of: "cost unknown", with: "unknown").leftPadded(to: 10)
                    + "  " + (row.cacheHitRate.map { "\(Int(($0 * 100).rounded()))%" } ?? "-").leftPadded(to: 6) + "\n"
            }
            out += "\n"
        }
        return out
    }

    /// The three tables for scripts (`flow cost --json`).
    public static func costJSON(_ tables: [String: [CostRow]]) -> JSON {
        .object(["workflow", "model", "day"].map { name in
            (name, .array((tables[name] ?? []).map { row in
                .object([(name, .string(row.group)), ("runs", .int(row.runs)), ("calls", .int(row.calls)),
                         ("input_tokens", .int(row.inputTokens)), ("output_tokens", .int(row.outputTokens)),
                         ("cached_input_tokens", .int(row.cachedInputTokens)), ("cache_hit_rate", row.cacheHitRate.map(JSON.double) ?? .null),
                         ("cost_usd", row.costUSD.map(JSON.double) ?? .null)])
            }))
        })
    }

    // MARK: diff

    /// Where two runs diverged: the first differing request or response, and the deltas.
    /// Returns the text and whether the runs differ.
    public static func diff(_ a: TranscriptReader.Transcript, _ b: TranscriptReader.Transcript) -> (String, Bool) {
        var out = "A: \(a.path)\nB: \(b.path)\n"
        var differs = false
        let startA = a.first(.runStart), startB = b.first(.runStart)
        if startA?["workflow_sha256"] != startB?["workflow_sha256"] {
            out += "workflow file changed: \(startA?["workflow_sha256"]?.string?.prefix(12) ?? "?") → \(startB?["workflow_sha256"]?.string?.prefix(12) ?? "?")\n"
            differs = true
        }
        if startA?["inputs"] != startB?["inputs"] {
            out += "inputs: \(startA?["inputs"]?.serialized ?? "") → \(startB?["inputs"]?.serialized ?? "")\n"
            differs = true
        }
        let callsA = calls(a), callsB = calls(b)
        var found = false
        for index in 0..<max(callsA.count, callsB.count) where !found {
            guard index < callsA.count, index < callsB.count else {
                out += "call \(index + 1): only in \(index < callsA.count ? "A" : "B") (step '\((index < callsA.count ? callsA[index] : callsB[index]).label)')\n"
                found = true
                break
            }
            let (x, y) = (callsA[index], callsB[index])
            let requestLines = CassetteDiff.lines(x.request, y.request)
            if !requestLines.isEmpty {
                out += "first difference at call \(index + 1) (step '\(y.label)'), in the request:\n" + requestLines.map { "  " + $0 }.joined(separator: "\n") + "\n"
                found = true
            } else if x.response["content"] != y.response["content"] || x.response["finish_reason_raw"] != y.response["finish_reason_raw"] {
                out += "first difference at call \(index + 1) (step '\(y.label)'), in the response:\n"
                if x.response["finish_reason_raw"] != y.response["finish_reason_raw"] {
                    out += "  finish_reason: \(x.response["finish_reason_raw"]?.string ?? "?") → \(y.response["finish_reason_raw"]?.string ?? "?")\n"
                }
                out += CassetteDiff.textDiff(x.response["content"]?.string ?? "", y.response["content"]?.string ?? "").joined(separator: "\n") + "\n"
                found = true
            }
        }
        differs = differs || found
        if !found { out += "the same requests and answers\n" }
        let totalsA = a.all(.runEnd).last?["totals"], totalsB = b.all(.runEnd).last?["totals"]
        func delta(_ key: String) -> String {
            let x = totalsA?[key]?.int ?? 0, y = totalsB?[key]?.int ?? 0
            return "\(key.replacingOccurrences(of: "_", with: " ")) \(x) → \(y) (\(y - x >= 0 ? "+" : "")\(y - x))"
        }
        out += "totals: " + ["calls", "input_tokens", "output_tokens"].map(delta).joined(separator: ", ")
        if let x = totalsA?["cost_usd"]?.double, let y = totalsB?["cost_usd"]?.double {
            out += ", cost \(Money.text(x)) → \(Money.text(y)) (\(Money.delta(y - x)))"
        }
        return (out + "\n", differs)
    }

    struct Call {
        var step: String
        var request: JSON
        var response: JSON
        /// The step as a person finds it: `classify · item 3`, `replies/draft · item 1`.
        var label = ""
    }

    /// Each request with the response that answered it. Mapped items and steps side by side
    /// interleave their events, so a request is paired with the response of its own step, item
    /// and call, and a map's calls are put in the items' order: two runs of the same workflow
    /// then line up call by call whatever order their answers came in.
    static func calls(_ transcript: TranscriptReader.Transcript) -> [Call] {
        var placed: [(order: (Int, Int, Int), call: Call)] = []
        var pending: [String: JSON] = [:]
        var mapStarts: [String: Int] = [:]
        for (position, event) in transcript.events.enumerated() {
            guard let type = EventType(of: event), let step = event["step"]?.string else { continue }
            let call = event["call"]?.string ?? ""
            let scope = call + "|" + step
            if type == .mapStart { mapStarts[scope] = position }
            let item = event["item"]?.int
            let key = scope + "|" + String(item ?? -1)
            if type == .request { pending[key] = event }
            guard type == .response, let request = pending.removeValue(forKey: key) else { continue }
            let normalized = JSON.object(omittingNil: [
                ("provider", request["provider"]), ("model", request["model"]), ("messages", request["messages"]),
                ("params", request["params"]), ("prefill", request["prefill"]),
            ])
            // An item's place: its map's start (the map of its step, or of the call it runs in), then its number.
            let parent = call.split(separator: "/").dropLast().joined(separator: "/") + "|" + String(call.split(separator: "/").last ?? "")
            let order = item.map { ((mapStarts[scope] ?? mapStarts[parent] ?? position), $0, position) } ?? (position, 0, position)
            let label = (call.isEmpty ? "" : call + "/") + step + (item.map { " · item \($0 + 1)" } ?? "")
            placed.append((order, Call(step: step, request: normalized, response: event, label: label)))
        }
        return placed.sorted { $0.order < $1.order }.map(\.call)
    }
}
