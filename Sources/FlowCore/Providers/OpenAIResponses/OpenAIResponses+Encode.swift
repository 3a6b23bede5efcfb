extension OpenAIResponsesAdapter {
    /// The body: system turns as `instructions`, every other turn an `input` item (tool calls as
    /// `function_call` items, results as `function_call_output`), keys in a fixed order.
    public func body(for request: ChatRequest) -> JSON {
        let instructions = request.messages.filter { $0.role == .system }.map(\.content).joined(separator: "\n\n")
        var input: [JSON] = []
        for message in request.messages where message.role != .system {
            switch message.role {
            case .tool:
                for result in message.toolResults {
                    input.append(.object([("type", .string("function_call_output")), ("call_id", .string(result.callId)),
                                          ("output", .string(result.content))]))
                }
            case .assistant:
                if !message.content.isEmpty { input.append(Self.message("assistant", message.content)) }
                for call in message.toolCalls {
                    input.append(.object([("type", .string("function_call")), ("call_id", .string(call.id)), ("name", .string(call.name)),
                                          ("arguments", .string(call.arguments.serialized))]))
                }
            default:
                if message.parts.isEmpty {
                    input.append(Self.message("user", message.content))
                } else {
                    input.append(.object([("role", .string("user")), ("content", .array(message.parts.map(Self.part)))]))
                }
            }
        }
        if let prefill = request.prefill, !prefill.isEmpty { input.append(Self.message("assistant", prefill)) }
        let params = request.params
        return .object(omittingNil: [
            ("model", .string(request.model)),
            ("instructions", instructions.isEmpty ? nil : .string(instructions)),
            ("input", .array(input)),
            ("max_output_tokens", params.maxTokens.map(JSON.int)),
            ("temperature", params.temperature.map(JSON.double)),
            ("top_p", params.topP.map(JSON.double)),
            ("reasoning", params.reasoning?.effort.map { .object([("effort", .string($0.rawValue))]) }),
            ("tools", request.tools.isEmpty ? nil : .array(request.tools.map { tool in
                .object([("type", .string("function")), ("name", .string(tool.name)), ("description", .string(tool.description)),
                         ("parameters", tool.parameters)])
            })),
            ("text", request.responseSchema.map { schema in
                // Chat Completions' json_schema object, flattened into `text.format` as Responses takes it.
                let format = StructuredOutput.openAIFormat(schema)["json_schema"]?.objectPairs ?? []
                return .object([("format", .object([("type", .string("json_schema"))] + format))])
            }),
            ("prompt_cache_key", request.promptCacheKey.map(JSON.string)),
            // flow keeps the conversation; nothing is left stored at OpenAI.
            ("store", .bool(false)),
        ])
    }

    static func message(_ role: String, _ text: String) -> JSON {
        .object([("role", .string(role)), ("content", .string(text))])
    }

    /// A part of a mixed user turn: `input_text`, `input_image` (a data URL or the URL), or
    /// `input_file` with the PDF as a data URL.
    static func part(_ part: MessagePart) -> JSON {
        switch part {
        case .text(let text):
            return .object([("type", .string("input_text")), ("text", .string(text))])
        case .media(let media) where media.kind == .image:
            return .object(omittingNil: [("type", .string("input_image")), ("image_url", .string(media.url ?? media.dataURL)),
                                         ("detail", media.detail.map(JSON.string))])
        case .media(let media):
            let name = media.path.map { String($0.split(separator: "/").last ?? "document.pdf") } ?? "document.pdf"
            return .object([("type", .string("input_file")), ("filename", .string(name)), ("file_data", .string(media.dataURL))])
        }
    }
}
