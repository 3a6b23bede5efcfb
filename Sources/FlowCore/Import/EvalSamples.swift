import FlowSource

/// The samples of an OpenAI `evals` registry eval (a JSON Lines file: `{"input": …, "ideal": …}`
/// per line) as rows of a flow dataset. A sample's `input` is a prompt string or a list of chat
/// messages, so each row carries its own conversation: the leading system messages become
/// `system`, the turns between it and the last message `history`, and the last user message
/// `prompt`. The workflow the importers write reads exactly those three variables.
struct EvalSample {
    var system: String
    var history: [JSON]
    var prompt: String
    /// The fields besides `input`, as written.
    var fields: [(String, JSON)]
    var line: Int
    /// `input` as evals renders it into a grader's prompt: a lone message's text, else each
    /// message on a line after its role (`User: `…; system messages bare).
    var inputText = ""

    /// Why a sample's conversation cannot be said in flow, placed at its line.
    struct Refusal: Error {
        var line: Int
        var reason: String
    }

    /// Reads every sample of a JSON Lines text. `noteOnce` hears each kind of rewrite once.
    /// `fewShot` messages go before each sample's last message (it must then be a chat list).
    static func all(_ text: String, fewShot: [JSON] = [], noteOnce: (Int, String) -> Void) throws(Refusal) -> [EvalSample] {
        var samples: [EvalSample] = []
        var number = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            number += 1
            // Python reads JSON Lines with universal newlines: \n, \r\n and a lone \r end a line.
            let line = String(rawLine)
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            let json: JSON
            do { json = try JSON.parse(line) } catch { throw Refusal(line: number, reason: "the line is not JSON: \(error)") }
            guard case .object(let pairs) = json else { throw Refusal(line: number, reason: "a sample is a JSON object with 'input'") }
            guard var input = json["input"] else { throw Refusal(line: number, reason: "the sample has no 'input'") }
            if !fewShot.isEmpty {
                guard let messages = input.array, !messages.isEmpty else { throw Refusal(line: number, reason: "few-shot examples need the sample's input as chat messages") }
                input = .array(messages.dropLast() + fewShot + [messages[messages.count - 1]])
            }
            var sample = try Self.conversation(input, line: number, noteOnce: noteOnce)
            sample.fields = pairs.filter { $0.0 != "input" }
            sample.inputText = Self.text(of: input)
            samples.append(sample)
        }
        return samples
    }

    static func conversation(_ input: JSON, line: Int, noteOnce: (Int, String) -> Void) throws(Refusal) -> EvalSample {
        if let text = input.string { return EvalSample(system: "", history: [], prompt: text, fields: [], line: line) }
        guard let messages = input.array, !messages.isEmpty else {
            throw Refusal(line: line, reason: "'input' is neither a prompt string nor a list of chat messages")
        }
        var system: [String] = []
        var turns: [(String, String)] = []
        for (index, message) in messages.enumerated() {
            guard let role = message["role"]?.string else { throw Refusal(line: line, reason: "message \(index + 1) of 'input' has no role") }
            guard let content = message["content"]?.string else {
                throw Refusal(line: line, reason: "message \(index + 1) of 'input' is not text (images and other parts are not imported)")
            }
            let name = message["name"]?.string
            switch (role, name) {
            case ("system", nil) where turns.isEmpty:
                system.append(content)
            case ("system", "example_user"?), ("system", "example_assistant"?):
                // OpenAI's few-shot convention: examples sent as named system messages.
                noteOnce(line, "few-shot examples written as system messages named example_user/example_assistant are sent as user and assistant turns")
                turns.append((name == "example_user" ? "user" : "assistant", content))
            case ("user", _), ("assistant", _):
                turns.append((role, content))
            default:
                throw Refusal(line: line, reason: "message \(index + 1) of 'input' has role '\(role)'\(name.map { " (name \($0))" } ?? "") after the first turn; flow sends one system prompt, then user and assistant turns")
            }
        }
        if system.count > 1 { noteOnce(line, "several leading system messages are joined into one system prompt, a blank line between them") }
        if turns.isEmpty {
            // A flow step is a user turn, so a prompt of system text alone is sent as one.
            noteOnce(line, "a sample whose input is only system text is sent as the user turn (flow asks the model after a user turn)")
            return EvalSample(system: "", history: [], prompt: system.joined(separator: "\n\n"), fields: [], line: line)
        }
        guard let last = turns.last, last.0 == "user" else {
            throw Refusal(line: line, reason: "the last message of 'input' is not a user turn; flow asks the model after a user turn")
        }
        let history = turns.dropLast().map { JSON.object([("role", .string($0.0)), ("content", .string($0.1))]) }
        return EvalSample(system: system.joined(separator: "\n\n"), history: Array(history), prompt: last.1, fields: [], line: line)
    }

    static func text(of input: JSON) -> String {
        guard let messages = input.array else { return input.string ?? "" }
        if messages.count == 1 { return messages[0]["content"]?.string ?? "" }
        return messages.map { message in
            let role = message["name"]?.string ?? message["role"]?.string ?? ""
            let prefix = ["system": "", "example_user": "User: ", "example_assistant": "Assistant: "][role] ?? (role.prefix(1).uppercased() + role.dropFirst() + ": ")
            return prefix + (message["content"]?.string ?? "") + "\n"
        }.joined()
    }

    /// `ideal` as a list of strings (a string, or a list of them), nil when it is neither.
    func ideals(_ key: String = "ideal") -> [String]? {
        guard let value = fields.first(where: { $0.0 == key })?.1 else { return nil }
        if let text = value.string { return [text] }
        guard let items = value.array else { return nil }
        let texts = items.compactMap(\.string)
        return texts.count == items.count && !texts.isEmpty ? texts : nil
    }

    /// The dataset row: its name, the conversation, the extra fields given, its own checks.
    func row(name: String, extra: [(String, JSON)] = [], expect: [JSON]) -> String {
        var pairs: [(String, JSON)] = [("name", .string(name))]
        if !system.isEmpty { pairs.append(("system", .string(system))) }
        if !history.isEmpty { pairs.append(("history", .array(history))) }
        pairs.append(("prompt", .string(prompt)))
        pairs += extra
        if !expect.isEmpty { pairs.append(("expect", .array(expect))) }
        return JSON.object(pairs).serialized
    }

    /// The workflow lines every registry import shares: the three variables and one step.
    static func conversationLines(params: [String]) -> [String] {
        ImportedConversation.paramsLine(params) + [
            "vars: {system: \"\", history: [], prompt: null}",
            "history: history",
            "system: \"{{system}}\"",
            "steps:",
            "  - id: answer",
            "    user: \"{{prompt}}\"",
        ]
    }
}
