import FlowSource
import FlowTemplate

/// Runs a loaded workflow: renders each step's turn, calls its provider, keeps the conversation
/// (the APIs are stateless), saves variables, and renders the output. Every event goes to the
/// transcript as it happens.
public struct Interpreter: Sendable {
    public static let version = "0.1.0"

    let providers: ProviderRegistry
    let transcript: any TranscriptSink
    /// When set, answers stream on the wire and each piece of text goes here (step id, text).
    let onText: (@Sendable (String, String) -> Void)?

    public init(providers: ProviderRegistry, transcript: any TranscriptSink, onText: (@Sendable (String, String) -> Void)? = nil) {
        self.providers = providers
        self.transcript = transcript
        self.onText = onText
    }

    /// Runs `loaded` with `inputs` (already resolved against the declared vars). Never throws:
    /// a failure is a `RunResult` with status `failed`, so callers always get the steps so far.
    public func run(_ loaded: LoadedWorkflow, inputs: [String: TemplateValue]) async -> RunResult {
        let workflow = loaded.workflow
        transcript.record("run_start", [
            ("flow_version", .string(Self.version)),
            ("workflow", .string(loaded.source.path)),
            ("workflow_sha256", .string(loaded.sha256)),
            ("name", .string(workflow.name)),
            ("templates", .array(loaded.templateFiles.map { .object([("path", .string($0.path)), ("sha256", .string($0.sha256))]) })),
            ("inputs", JSON(inputs)),
        ])
        var steps: [StepResult] = []
        do throws(RunError) {
            try preflight(loaded)
            var conversation = try Conversation(loaded, inputs: inputs)
            for step in workflow.steps {
                try await run(step, conversation: &conversation, results: &steps)
            }
            var output = steps.last?.content
            if let template = workflow.output { output = try conversation.render(template, step: nil) }
            let result = RunResult(status: .succeeded, output: output, steps: steps, error: nil)
            recordEnd(result)
            return result
        } catch {
            transcript.record("error", JSON.object(omittingNil: [
                ("step", error.step.map(JSON.string)), ("kind", .string(error.kind.rawValue)), ("message", .string(error.message)),
            ]).pairs)
            let result = RunResult(status: .failed, output: nil, steps: steps, error: error)
            recordEnd(result)
            return result
        }
    }

    /// Before anything is sent: every step's provider must have its key, and must accept the
    /// step's model, parameters and prefill, so a run never stops half-paid at step three.
    private func preflight(_ loaded: LoadedWorkflow) throws(RunError) {
        for step in loaded.workflow.steps {
            let model = step.model ?? loaded.workflow.model!
            // The shape of the request is known before its text: a prefill stands in as "…".
            let shape = ChatRequest(model: model.name, messages: [], params: loaded.workflow.params.merged(with: step.params),
                                    prefill: step.prefill == nil ? nil : "…")
            do {
                try providers.provider(for: model).check(shape)
            } catch {
                throw RunError(error.kind == .configuration ? .invalid : .provider, "step '\(step.id)': \(error.message)", step: step.id)
            }
        }
    }

    private func run(_ step: Step, conversation: inout Conversation, results: inout [StepResult]) async throws(RunError) {
        let model = conversation.model(for: step)
        transcript.record("step_start", [("step", .string(step.id)), ("model", .string(model.description))])
        let request = try conversation.request(for: step)
        let provider: any ChatProvider
        do {
            let transcript = self.transcript
            provider = try providers.provider(for: model) { retry in
                transcript.record("retry", [
                    ("step", .string(step.id)), ("attempt", .int(retry.attempt)),
                    ("status", retry.error.status.map(JSON.int) ?? .null), ("error", .string(retry.error.description)),
                    ("delay_s", .double((retry.delay * 1000).rounded() / 1000)),
                ])
            }
        } catch {
            throw RunError(.provider, "step '\(step.id)': \(error.message)", step: step.id)
        }
        transcript.record("request", TranscriptEvents.request(request, step: step.id, provider: provider))
        let started = ContinuousClock.now
        let response: ChatResponse
        do {
            if let onText {
                let id = step.id
                response = try await provider.stream(request) { text in onText(id, text) }
            } else {
                response = try await provider.complete(request)
            }
        } catch {
            throw RunError(error.kind == .configuration ? .invalid : .provider, "step '\(step.id)': \(error.description)", step: step.id)
        }
        let latency = ContinuousClock.now - started
        let latencyMs = Double(latency.components.seconds) * 1000 + Double(latency.components.attoseconds) / 1e15
        transcript.record("response", TranscriptEvents.response(response, step: step.id, latencyMs: latencyMs))

        let text = (request.prefill ?? "") + response.content
        results.append(StepResult(id: step.id, model: model, finishReason: response.finishReason,
                                  content: text, usage: response.usage, latencyMs: latencyMs))
        // Until branches exist (`on:`), anything but a complete answer stops the run: truncation
        // or filtering must never pass silently.
        guard case .stop = response.finishReason else {
            let reason = response.finishReason
            throw RunError(.stepFailed,
                           "step '\(step.id)' finished with '\(reason.name)' (raw '\(reason.raw)'): \(reason.explanation)",
                           step: step.id)
        }
        try conversation.answer(text, for: step)
    }

    private func recordEnd(_ result: RunResult) {
        transcript.record("run_end", JSON.object(omittingNil: [
            ("status", .string(result.status.rawValue)),
            ("output", result.output.map(JSON.string)),
            ("totals", TranscriptEvents.totals(result)),
        ]).pairs)
    }
}
