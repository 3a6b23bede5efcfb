import Foundation
import FlowCore
import FlowSource
import FlowTemplate

/// `flow render FILE`: every step's messages, or the exact wire body for a provider; sends nothing.
enum RenderCommand {
    static let providers = BuiltInProvider.sending.map(\.rawValue)

    static func main(_ arguments: ParsedArguments) -> Int32 {
        let path = arguments.positionals[0]
        let json = arguments.flags.contains("--json")
        var provider = arguments.value("--provider")
        if let provider, !providers.contains(provider) {
            Terminal.report(UsageError(message: "--provider must be one of \(providers.joined(separator: ", ")), got '\(provider)'",
                                       hint: Suggestion.closest(to: provider, in: providers).map { "Did you mean '\($0)'?" },
                                       command: Commands.render))
            return ExitStatus.usage
        }
        var loaded: LoadedWorkflow
        do {
            loaded = try WorkflowLoader.load(path: path)
        } catch {
            Terminal.err(error.description + "\n")
            if case .unreadable = error { return ExitStatus.noInput }
            return ExitStatus.invalid
        }
        do throws(RunCommand.Stop) {
            try RunCommand.applyVariant(arguments, to: &loaded, command: Commands.render)
            try RunCommand.applyModelOverride(arguments, to: &loaded, command: Commands.render)
        } catch {
            return error.status
        }
        // --model alone renders the body its provider would receive.
        if provider == nil, let model = loaded.workflow.model, arguments.value("--model") != nil, providers.contains(model.provider.rawValue) {
            provider = model.provider.rawValue
        }
        if let only = arguments.value("--step"), !loaded.workflow.steps.contains(where: { $0.id == only }) {
            let ids = loaded.workflow.steps.map(\.id)
            Terminal.report(UsageError(message: "--step: the workflow has no step '\(only)'; its steps: \(ids.joined(separator: ", "))",
                                       hint: Suggestion.closest(to: only, in: ids).map { "Did you mean '\($0)'?" },
                                       command: Commands.render))
            return ExitStatus.usage
        }
        guard let given = RunCommand.variables(arguments, command: Commands.render) else { return ExitStatus.usage }
        let previews: [StepPreview]
        do {
            previews = try Preview.steps(loaded, inputs: try Inputs.resolve(given, for: loaded.workflow))
        } catch {
            if error.kind == .usage {
                Terminal.report(UsageError(message: error.message, command: Commands.render))
            } else {
                Terminal.err("error: \(error.message)\n")
            }
            return error.exitCode
        }

        var status = ExitStatus.ok
        var reports: [JSON] = []
        let shown = previews.filter { preview in arguments.value("--step").map { $0 == preview.id } ?? true }
        for preview in shown {
            var wire: Result<HTTPRequest, ProviderError>?
            if let provider {
                wire = encode(preview.request, for: provider)
                if let warning = mismatch(preview, provider: provider) { Terminal.err("warning: \(warning)\n") }
            }
            if case .failure = wire { status = ExitStatus.invalid }
            if json {
                reports.append(report(preview, wire: wire))
            } else {
                Terminal.out(text(preview, wire: wire, full: arguments.value("--step") != nil || shown.first?.id == preview.id))
            }
        }
        if json { Terminal.out(JSON.array(reports).pretty + "\n") }
        return status
    }

    /// The warning for a body rendered for another provider than the step's model runs on: its
    /// model name goes to a provider that does not serve it.
    static func mismatch(_ preview: StepPreview, provider: String) -> String? {
        guard !preview.model.isMock, preview.model.provider.family != ProviderName(provider).family else { return nil }
        return "step '\(preview.id)' runs on \(preview.model); this \(provider) body sends it '\(preview.model.name)', which \(provider) "
            + "does not serve: pass --model \(provider)/MODEL to render it for a model \(provider) has"
    }

    /// The wire request with no key: what would be sent, minus the secret.
    static func encode(_ request: ChatRequest, for provider: String) -> Result<HTTPRequest, ProviderError> {
        let registry = ProviderRegistry(environment: ProcessEnvironment.current, transport: URLSessionTransport(), mockReplies: [])
        do throws(ProviderError) {
            guard let adapter = try registry.adapter(for: ModelRef(provider: ProviderName(provider), name: request.model)) else {
                throw ProviderError(.configuration, "the mock provider sends nothing")
            }
            try adapter.check(request)
            return .success(try adapter.encode(request, apiKey: nil))
        } catch {
            return .failure(error)
        }
    }

    /// A step as text. The first step shown (or the one asked for) lists the whole conversation;
    /// later ones only what they add, so a diff of the output follows the diff of the prompts.
    static func text(_ preview: StepPreview, wire: Result<HTTPRequest, ProviderError>?, full: Bool) -> String {
        var out = "# step \(preview.id) (\(preview.model))\n"
        switch wire {
        case .success(let http)?:
            out += "\(http.method) \(Redaction.url(http.url))\n"
            // Images and documents stand as their type, size and digest: base64 reviews nothing.
            out += http.bodyWithoutMedia(of: preview.request).pretty + "\n\n"
            return out
        case .failure(let error)?:
            return out + "error: \(error.message)\n\n"
        case nil:
            break
        }
        let messages = full ? preview.request.messages : Array(preview.request.messages.suffix(1))
        if !full, preview.request.messages.count > 1 {
            out += "(\(preview.request.messages.count - 1) earlier messages)\n"
        }
        for message in messages {
            out += "\n## \(message.role.rawValue)\n" + message.content + (message.content.hasSuffix("\n") ? "" : "\n")
            for line in message.mediaLines { out += "[\(line)]\n" }
        }
        if let prefill = preview.request.prefill {
            out += "\n## assistant (prefill)\n" + prefill + "\n"
        }
        if let params = paramsLine(preview.request.params) { out += "\nparams: \(params)\n" }
        return out + "\n"
    }

    static func paramsLine(_ params: SamplingParams) -> String? {
        var parts: [String] = []
        if let value = params.temperature { parts.append("temperature \(value)") }
        if let value = params.topP { parts.append("top_p \(value)") }
        if let value = params.maxTokens { parts.append("max_tokens \(value)") }
        if let value = params.stop { parts.append("stop \(JSON.array(value.map(JSON.string)).serialized)") }
        if let value = params.seed { parts.append("seed \(value)") }
        if params.wantsLogprobs { parts.append("logprobs" + (params.topLogprobs.map { " (top \($0))" } ?? "")) }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    static func report(_ preview: StepPreview, wire: Result<HTTPRequest, ProviderError>?) -> JSON {
        var fields: [(String, JSON?)] = [
            ("step", .string(preview.id)),
            ("model", .string(preview.model.description)),
            ("messages", .array(preview.request.messages.map { message in
                .object(omittingNil: [("role", .string(message.role.rawValue)), ("content", .string(message.content)),
                                      ("media", message.mediaRecords.isEmpty ? nil : .array(message.mediaRecords))])
            })),
            ("prefill", preview.request.prefill.map(JSON.string)),
            ("answer", .string(preview.answer)),
            ("answer_is_stand_in", .bool(preview.answerIsStandIn)),
        ]
        switch wire {
        case .success(let http)?:
            fields.append(("wire", .object([("method", .string(http.method)), ("url", .string(Redaction.url(http.url))),
                                            ("body", http.bodyWithoutMedia(of: preview.request))])))
        case .failure(let error)?:
            fields.append(("error", .string(error.message)))
        case nil:
            break
        }
        return .object(omittingNil: fields)
    }
}
