/// Chat completion bodies in OpenAI's documented wire format, for the stub server.
public enum OpenAIWire {
    /// A `chat.completion` object with one choice, shaped as OpenAI returns it today (extra
    /// fields included, so decoders are tested against what they must ignore).
    public static func completion(content: String?, finishReason: String = "stop", promptTokens: Int = 10,
                                  completionTokens: Int = 5, model: String = "gpt-4o-mini-2024-07-18",
                                  refusal: String? = nil) -> String {
        let contentJSON = content.map(quoted) ?? "null"
        let refusalJSON = refusal.map(quoted) ?? "null"
        return """
        {"id":"chatcmpl-stub","object":"chat.completion","created":1732000000,"model":\(quoted(model)),\
        "choices":[{"index":0,"message":{"role":"assistant","content":\(contentJSON),"refusal":\(refusalJSON),\
        "annotations":[]},"logprobs":null,"finish_reason":\(quoted(finishReason))}],\
        "usage":{"prompt_tokens":\(promptTokens),"completion_tokens":\(completionTokens),\
        "total_tokens":\(promptTokens + completionTokens),"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},\
        "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,\
        "rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_stub"}
        """
    }

    /// An error body as OpenAI sends it with a 4xx or 5xx status.
    public static func error(message: String, type: String, code: String?) -> String {
        let codeJSON = code.map(quoted) ?? "null"
        return #"{"error":{"message":\#(quoted(message)),"type":\#(quoted(type)),"param":null,"code":\#(codeJSON)}}"#
    }

    private static func quoted(_ text: String) -> String { JSONText.string(text) }
}

/// Message bodies in Anthropic's documented wire format, for the stub server.
public enum AnthropicWire {
    public static func message(text: String, stopReason: String = "end_turn", input: Int = 10, output: Int = 5,
                               cacheRead: Int = 0, cacheWrite: Int = 0) -> String {
        JSONText.object([
            ("id", JSONText.string("msg_stub")), ("type", JSONText.string("message")), ("role", JSONText.string("assistant")),
            ("model", JSONText.string("claude-haiku-4-5-20251001")),
            ("content", "[" + JSONText.object([("type", JSONText.string("text")), ("text", JSONText.string(text))]) + "]"),
            ("stop_reason", JSONText.string(stopReason)), ("stop_sequence", "null"),
            ("usage", JSONText.object([("input_tokens", "\(input)"), ("cache_creation_input_tokens", "\(cacheWrite)"),
                                       ("cache_read_input_tokens", "\(cacheRead)"), ("output_tokens", "\(output)")])),
        ])
    }

    public static func error(type: String, message: String) -> String {
        JSONText.object([("type", JSONText.string("error")),
                         ("error", JSONText.object([("type", JSONText.string(type)), ("message", JSONText.string(message))]))])
    }
}

/// generateContent bodies in Gemini's documented wire format, for the stub server.
public enum GeminiWire {
    public static func response(text: String, finishReason: String = "STOP", prompt: Int = 10, candidates: Int = 5) -> String {
        let part = JSONText.object([("text", JSONText.string(text))])
        let content = JSONText.object([("parts", "[\(part)]"), ("role", JSONText.string("model"))])
        let candidate = JSONText.object([("content", content), ("finishReason", JSONText.string(finishReason)), ("index", "0")])
        return JSONText.object([
            ("candidates", "[\(candidate)]"),
            ("usageMetadata", JSONText.object([("promptTokenCount", "\(prompt)"), ("candidatesTokenCount", "\(candidates)"),
                                               ("totalTokenCount", "\(prompt + candidates)")])),
            ("modelVersion", JSONText.string("gemini-2.5-flash")),
        ])
    }
}

/// Minimal JSON text building for fixtures, independent of the code under test.
enum JSONText {
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}
