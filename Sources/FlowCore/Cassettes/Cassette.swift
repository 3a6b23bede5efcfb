import Foundation

/// Recorded request → response pairs, keyed by a hash of the canonical normalized request, so a
/// run can be replayed with no network, no key and no cost; and the results of the tools those
/// answers called, keyed by tool name and arguments, so a replay has no side effects either.
/// Pure: reading and writing the file is `CassetteStore`'s job.
public struct Cassette: Sendable {
    /// One recorded call: the normalized request, its key, and the answer.
    public struct Interaction: Sendable {
        /// The sha256 of the normalized request's canonical JSON.
        public var key: String
        /// The step that made the call, for the nearest-recording hint on a miss.
        public var step: String
        /// The variant that made the call (`variants:`), so a cassette reads as one section per variant.
        public var variant: String? = nil
        /// The test case that made the call (`flow test --record`), so a miss is explained
        /// against the same case's recording, not whichever is most alike.
        public var caseName: String? = nil
        /// The normalized request (no URL, header or key).
        public var request: JSON
        /// The normalized answer.
        public var response: ChatResponse

        /// A recorded call.
        public init(key: String, step: String, request: JSON, response: ChatResponse) {
            self.key = key
            self.step = step
            self.request = request
            self.response = response
        }
    }

    /// One tool call's result as it was recorded.
    public struct ToolInteraction: Sendable, Equatable {
        /// The sha256 of the tool's name and canonical arguments.
        public var key: String
        /// The tool's name.
        public var name: String
        /// The arguments the model gave.
        public var arguments: JSON
        /// What the tool returned.
        public var content: String
        /// Whether the call failed.
        public var isError: Bool

        /// A recorded tool result; its key is computed from `name` and `arguments`.
        public init(name: String, arguments: JSON, content: String, isError: Bool) {
            self.key = Cassette.toolKey(name: name, arguments: arguments)
            self.name = name
            self.arguments = arguments
            self.content = content
            self.isError = isError
        }
    }

    /// The `flow_cassette` value this flow reads and writes.
    public static let formatVersion = 1
    /// The recorded calls, in the order first recorded.
    public private(set) var interactions: [Interaction] = []
    /// Where each key's interaction is: replay looks up every call, so it must not scan.
    private var positions: [String: Int] = [:]
    /// The recorded tool results, in the order first recorded.
    public private(set) var toolResults: [ToolInteraction] = []
    private var toolPositions: [String: Int] = [:]

    /// A cassette holding `interactions` (a later one with the same key replaces an earlier one).
    public init(interactions: [Interaction] = []) {
        for interaction in interactions { record(interaction) }
    }

    /// The normalized request as recorded: provider, model, messages, parameters, prefill, tools.
    /// No headers, URLs or keys: a cassette holds no secrets.
    public static func normalized(_ request: ChatRequest, provider: ProviderName) -> JSON {
        .object(omittingNil: [
            ("provider", .string(provider.rawValue)),
            ("model", .string(request.model)),
            ("messages", .array(request.messages.map(message))),
            ("params", params(request.params)),
            ("prefill", request.prefill.map(JSON.string)),
            ("tools", request.tools.isEmpty ? nil : .array(request.tools.map { .object([("name", .string($0.name)), ("description", .string($0.description)), ("parameters", $0.parameters)]) })),
            ("response_schema", request.responseSchema),
        ])
    }

    /// The parameters as cassette keys hash them. Cassettes have their own encoding, apart from
    /// the transcript's, so a change to the transcript format cannot silently turn every
    /// recorded request into a miss; `CassetteKeyTests` pins the key of a known request.
    static func params(_ params: SamplingParams) -> JSON {
        .object(omittingNil: [
            ("temperature", params.temperature.map(JSON.double)),
            ("top_p", params.topP.map(JSON.double)),
            ("max_tokens", params.maxTokens.map(JSON.int)),
            ("stop", params.stop.map { .array($0.map(JSON.string)) }),
            ("seed", params.seed.map(JSON.int)),
            ("logprobs", params.logprobs.map(JSON.bool)),
            ("top_logprobs", params.topLogprobs.map(JSON.int)),
            ("top_k", params.topK.map(JSON.int)),
            ("presence_penalty", params.presencePenalty.map(JSON.double)),
            ("frequency_penalty", params.frequencyPenalty.map(JSON.double)),
            ("reasoning", params.reasoning?.json),
            ("n", params.n.map(JSON.int)),
        ])
    }

    static func message(_ message: ChatMessage) -> JSON {
        .object(omittingNil: [
            ("role", .string(message.role.rawValue)),
            ("content", .string(message.content)),
            ("tool_calls", message.toolCalls.isEmpty ? nil : .array(message.toolCalls.map { .object([("id", .string($0.id)), ("name", .string($0.name)), ("arguments", $0.arguments)]) })),
            ("tool_results", message.toolResults.isEmpty ? nil : .array(message.toolResults.map { .object([("call_id", .string($0.callId)), ("name", .string($0.name)), ("content", .string($0.content)), ("is_error", .bool($0.isError))]) })),
            // Images and documents by path and sha256: a changed file is a different request.
            ("media", message.parts.isEmpty ? nil : .array(Media.all(in: [message]).map(\.record))),
        ])
    }

    /// The key of a normalized request: the sha256 of its canonical JSON (keys sorted).
    public static func key(_ normalized: JSON) -> String { SHA256.hex(normalized.canonical) }

    /// The recorded answer to the request with `key`, if any.
    public func response(for key: String) -> ChatResponse? {
        positions[key].map { interactions[$0].response }
    }

    /// Adds the interaction, or replaces the one with the same key in its place.
    public mutating func record(_ interaction: Interaction) {
        if let position = positions[interaction.key] {
            interactions[position] = interaction
        } else {
            positions[interaction.key] = interactions.count
            interactions.append(interaction)
        }
    }

    /// A tool call's key: the tool's name and its arguments in canonical form.
    public static func toolKey(name: String, arguments: JSON) -> String {
        SHA256.hex(JSON.object([("name", .string(name)), ("arguments", arguments)]).canonical)
    }

    /// The recorded result of the tool call with `key`, if any.
    public func toolResult(for key: String) -> ToolInteraction? {
        toolPositions[key].map { toolResults[$0] }
    }

    /// Adds the tool result, or replaces the one with the same key in its place.
    public mutating func record(tool: ToolInteraction) {
        if let position = toolPositions[tool.key] {
            toolResults[position] = tool
        } else {
            toolPositions[tool.key] = toolResults.count
            toolResults.append(tool)
        }
    }

    /// Keeps only the recordings whose keys are in `used`; returns how many were dropped.
    public mutating func prune(keeping used: Set<String>) -> Int {
        let before = interactions.count + toolResults.count
        let keptInteractions = interactions.filter { used.contains($0.key) }
        let keptTools = toolResults.filter { used.contains($0.key) }
        self = Cassette(interactions: keptInteractions)
        for tool in keptTools { record(tool: tool) }
        return before - interactions.count - toolResults.count
    }

    /// The recorded request most like `request`: the same step first, then the same case and
    /// variant (when the recording names them), then the fewest differences, then the fewest
    /// characters changed, so each of several cases that changed alike meets its own recording.
    public func nearest(to request: JSON, step: String, caseName: String? = nil, variant: String? = nil) -> Interaction? {
        func score(_ interaction: Interaction) -> (Int, Int, Int) {
            let place = (interaction.step == step ? 0 : 4) + (caseName != nil && interaction.caseName == caseName ? 0 : 2)
                + (interaction.variant == variant ? 0 : 1)
            return (place, CassetteDiff.lines(interaction.request, request).count, CassetteDiff.distance(interaction.request, request))
        }
        return interactions.min { score($0) < score($1) }
    }
}

/// What changed between a recorded request and a new one, as lines a reviewer can read.
public enum CassetteDiff {
    /// How many characters of the messages' text differ, beyond their common start and end: a
    /// tie-breaker between recordings that differ in as many lines.
    static func distance(_ recorded: JSON, _ current: JSON) -> Int {
        let old = (recorded["messages"]?.array ?? []).map { $0["content"]?.string ?? "" }
        let new = (current["messages"]?.array ?? []).map { $0["content"]?.string ?? "" }
        var total = abs(old.count - new.count) * 1000
        for (a, b) in zip(old, new) where a != b {
            let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
            var start = 0
            while start < min(x.count, y.count), x[start] == y[start] { start += 1 }
            var end = 0
            while end < min(x.count, y.count) - start, x[x.count - 1 - end] == y[y.count - 1 - end] { end += 1 }
            total += max(x.count, y.count) - start - end
        }
        return total
    }

    /// What changed from `recorded` to `current`, a line per change: fields, parameters, messages.
    public static func lines(_ recorded: JSON, _ current: JSON) -> [String] {
        var out: [String] = []
        for field in ["provider", "model", "prefill"] where recorded[field] != current[field] {
            out.append("\(field): \(recorded[field]?.serialized ?? "none") → \(current[field]?.serialized ?? "none")")
        }
        let oldParams = recorded["params"]?.sortedKeys, newParams = current["params"]?.sortedKeys
        if oldParams != newParams {
            var keys: [String] = []
            for case .object(let pairs) in [oldParams, newParams].compactMap({ $0 }) { keys += pairs.map(\.0) }
            for key in Set(keys).sorted() where oldParams?[key] != newParams?[key] {
                out.append("params.\(key): \(oldParams?[key]?.serialized ?? "unset") → \(newParams?[key]?.serialized ?? "unset")")
            }
        }
        let old = recorded["messages"]?.array ?? [], new = current["messages"]?.array ?? []
        for index in 0..<max(old.count, new.count) {
            let a = index < old.count ? old[index] : nil, b = index < new.count ? new[index] : nil
            guard a != b else { continue }
            let role = (b ?? a)?["role"]?.string ?? "?"
            guard let a, let b else {
                out.append("message \(index + 1) (\(role)): \(a == nil ? "added" : "removed")")
                continue
            }
            out.append("message \(index + 1) (\(role)) changed:")
            out += textDiff(a["content"]?.string ?? "", b["content"]?.string ?? "")
            if a["tool_calls"] != b["tool_calls"] || a["tool_results"] != b["tool_results"] { out.append("  tool calls or results differ") }
        }
        if recorded["tools"] != current["tools"] { out.append("tools changed") }
        return out
    }

    /// Lines removed and added between two texts, with the common lines around them left out.
    static func textDiff(_ old: String, _ new: String) -> [String] {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false)
        var prefix = 0
        while prefix < min(a.count, b.count), a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < min(a.count, b.count) - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let removed = a[prefix..<(a.count - suffix)].map { "  - " + $0 }
        let added = b[prefix..<(b.count - suffix)].map { "  + " + $0 }
        return removed + added
    }
}

extension Cassette {
    /// The cassette as JSON: pretty, keys in a fixed order, no timestamps, so it diffs well.
    public var json: JSON {
        .object(omittingNil: [
            ("flow_cassette", .int(Self.formatVersion)),
            ("interactions", .array(interactions.map(Self.encode))),
            // Absent when no tool ran, so cassettes recorded before tools were kept stay byte-stable.
            ("tool_results", toolResults.isEmpty ? nil : .array(toolResults.map(Self.encode))),
        ])
    }

    /// One recorded call as the file holds it.
    static func encode(_ interaction: Interaction) -> JSON {
        .object(omittingNil: [("key", .string(interaction.key)), ("step", .string(interaction.step)),
                              ("variant", interaction.variant.map(JSON.string)), ("case", interaction.caseName.map(JSON.string)),
                              ("request", interaction.request.sortedKeys), ("response", response(interaction.response))])
    }

    /// One recorded tool result as the file holds it.
    static func encode(_ tool: ToolInteraction) -> JSON {
        .object([("key", .string(tool.key)), ("name", .string(tool.name)), ("arguments", tool.arguments.sortedKeys),
                 ("content", .string(tool.content)), ("is_error", .bool(tool.isError))])
    }

    static func response(_ response: ChatResponse) -> JSON {
        .object(omittingNil: [
            ("content", .string(response.content)),
            ("reasoning", response.reasoning.map(JSON.string)),
            ("reasoning_blocks", response.reasoningBlocks.isEmpty ? nil : .array(response.reasoningBlocks)),
            ("choices", response.choices.isEmpty ? nil : .array(response.choices.map(JSON.string))),
            ("finish_reason", .string(response.finishReason.name)),
            ("finish_reason_raw", .string(response.finishReason.raw)),
            ("model", response.model.map(JSON.string)),
            ("usage", TranscriptEvents.usage(response.usage)),
            ("logprobs", response.logprobs.map(TranscriptEvents.logprobs)),
            ("tool_calls", response.toolCalls.isEmpty ? nil : .array(response.toolCalls.map {
                .object(omittingNil: [("id", .string($0.id)), ("name", .string($0.name)), ("arguments", $0.arguments), ("signature", $0.signature.map(JSON.string))])
            })),
        ])
    }

    /// Reads a cassette's JSON. Throws a message naming what is wrong.
    public init(json: JSON) throws {
        guard json["flow_cassette"]?.int == Self.formatVersion, let items = json["interactions"]?.array else {
            throw CassetteError(message: "not a flow cassette (version \(Self.formatVersion))")
        }
        for item in items { record(try Self.interaction(item)) }
        for item in json["tool_results"]?.array ?? [] { record(tool: try Self.tool(item)) }
    }

    /// One recorded call from the file's JSON.
    static func interaction(_ item: JSON) throws -> Interaction {
        guard let key = item["key"]?.string, let request = item["request"], let response = item["response"],
              let reasonName = response["finish_reason"]?.string else {
            throw CassetteError(message: "an interaction lacks key, request or response")
        }
        let raw = response["finish_reason_raw"]?.string ?? reasonName
        let usage = response["usage"]
        var answer = ChatResponse(
            content: response["content"]?.string ?? "",
            finishReason: (BranchReason(rawValue: reasonName) ?? .other).finishReason(raw: raw),
            usage: Usage(inputTokens: usage?["input_tokens"]?.int ?? 0, outputTokens: usage?["output_tokens"]?.int ?? 0,
                         cachedInputTokens: usage?["cached_input_tokens"]?.int ?? 0, cacheWriteTokens: usage?["cache_write_tokens"]?.int ?? 0,
                         reasoningTokens: usage?["reasoning_tokens"]?.int ?? 0),
            model: response["model"]?.string,
            logprobs: response["logprobs"]?.array.map { $0.compactMap { token in
                guard let text = token["token"]?.string, let logprob = token["logprob"]?.double else { return nil }
                return TokenLogprob(token: text, logprob: logprob, top: (token["top"]?.array ?? []).compactMap { alternative in
                    guard let text = alternative["token"]?.string, let logprob = alternative["logprob"]?.double else { return nil }
                    return TokenLogprob.Alternative(token: text, logprob: logprob)
                })
            } },
            toolCalls: (response["tool_calls"]?.array ?? []).compactMap { call in
                guard let id = call["id"]?.string, let name = call["name"]?.string else { return nil }
                return ToolCall(id: id, name: name, arguments: call["arguments"] ?? .object([]), signature: call["signature"]?.string)
            })
        answer.reasoning = response["reasoning"]?.string
        answer.reasoningBlocks = response["reasoning_blocks"]?.array ?? []
        answer.choices = (response["choices"]?.array ?? []).compactMap(\.string)
        var interaction = Interaction(key: key, step: item["step"]?.string ?? "", request: request, response: answer)
        interaction.variant = item["variant"]?.string
        interaction.caseName = item["case"]?.string
        return interaction
    }

    /// One recorded tool result from the file's JSON.
    static func tool(_ item: JSON) throws -> ToolInteraction {
        guard let name = item["name"]?.string, let arguments = item["arguments"], let content = item["content"]?.string else {
            throw CassetteError(message: "a tool result lacks name, arguments or content")
        }
        var tool = ToolInteraction(name: name, arguments: arguments, content: content, isError: item["is_error"] == .bool(true))
        // The key was made from the arguments as called; stored ones may have been redacted.
        if let key = item["key"]?.string { tool.key = key }
        return tool
    }
}

/// A cassette file that cannot be read, with what is wrong.
public struct CassetteError: Error, CustomStringConvertible {
    /// What is wrong, naming the file where known.
    public var message: String
    /// The message.
    public var description: String { message }
}

extension Cassette.Interaction {
    /// The interaction with secrets taken out of its texts (a key a provider echoed in its answer),
    /// before it is stored: once per answer, not over the whole file at every write.
    var redacted: Cassette.Interaction {
        var copy = self
        copy.request = request.redacted
        copy.response.content = Redaction.text(response.content)
        copy.response.toolCalls = response.toolCalls.map { call in
            var safe = call
            safe.arguments = call.arguments.redacted
            return safe
        }
        return copy
    }
}
