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

    private static func quoted(_ text: String) -> String {
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
}
