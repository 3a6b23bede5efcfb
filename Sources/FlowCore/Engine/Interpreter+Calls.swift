import Foundation

/// The parts of a visit that talk to providers and tools: one call (with the context and budget
/// checks before it), the request that continues a truncated answer, and a round of tool calls.
extension Interpreter {
    /// Sends one request, after trimming it to the context budget and checking the token budget.
    /// A provider error is returned, not thrown, so the step's `error` branch can take it.
    func call(_ original: ChatRequest, model: ModelRef, step: Step, loaded: LoadedWorkflow, table: ProviderTable,
              run: inout RunProgress) async -> (ChatResponse?, ProviderError?) {
        var request = original
        // Tool rounds and continuations grow the request past the conversation: it is fitted too.
        if let trimmed = fitToContext(request.messages, policy: loaded.workflow.context, step: step.id) { request.messages = trimmed }
        if let over = Budget.check(request, model: model, limits: loaded.workflow.limits, price: prices.price(for: model),
                                   tokensUsed: run.tokensUsed, costSoFar: run.costUSD) {
            return (nil, over)
        }
        // Preflight resolved every model a step can reach; a lookup miss cannot happen, but is
        // answered by resolving rather than by a crash.
        let provider: any ChatProvider
        if let resolved = table[step.id, model] {
            provider = resolved
        } else {
            do {
                provider = try resolve(model, step: step.id)
            } catch {
                return (nil, error)
            }
        }
        // Events cost a re-encoding of the body; a sink that keeps nothing (flow test) is spared it.
        if transcript.isRecording {
            transcript.record(.request, TranscriptEvents.request(request, step: step.id, provider: provider))
        }
        let started = ContinuousClock.now
        do {
            let response: ChatResponse
            // Tool steps are not streamed: their answers are calls, not text to show; nor are
            // steps asking for several answers, which streams interleave.
            if let onText, request.tools.isEmpty, (request.params.n ?? 1) == 1 {
                let id = step.id
                response = try await provider.stream(request) { text in onText(id, text) }
            } else {
                response = try await provider.complete(request)
            }
            let latency = ContinuousClock.now - started
            run.lastLatencyMs = Double(latency.components.seconds) * 1000 + Double(latency.components.attoseconds) / 1e15
            run.tokensUsed += response.usage.inputTokens + response.usage.outputTokens
            let cost = prices.cost(response.usage, model: model)
            // Budgets count list price even in replay, so a replayed run takes the recorded path.
            run.costUSD += cost ?? 0
            if transcript.isRecording {
                transcript.record(.response, TranscriptEvents.response(response, step: step.id, latencyMs: run.lastLatencyMs)
                    + TranscriptEvents.cost(cost, origin: response.origin))
            }
            if cost == nil, response.origin == .live, run.unpricedModels.insert(model.description).inserted {
                transcript.record(.warning, TranscriptEvents.warning("no price for \(model): its cost is null, not 0; add it with --prices", step: step.id))
            }
            return (response, nil)
        } catch {
            return (nil, error)
        }
    }

    /// `messages` fitted to the workflow's context budget, with a `context_trim` event; nil when
    /// there is no budget or nothing had to go. The one place the context window is applied.
    func fitToContext(_ messages: [ChatMessage], policy: ContextPolicy?, step: String) -> [ChatMessage]? {
        guard let policy else { return nil }
        let (kept, removed) = ContextWindow.trim(messages, budget: policy.maxInputTokens)
        guard removed > 0 else { return nil }
        transcript.record(.contextTrim, TranscriptEvents.contextTrim(step: step, removed: removed, before: messages.estimatedTokens,
                                                                     after: kept.estimatedTokens))
        return kept
    }

    /// The request that asks for the rest of `text`: the partial answer as a prefill where the
    /// provider continues an assistant turn, otherwise the partial answer and a follow-up turn.
    func continuation(of request: ChatRequest, text: String, mode: PrefillMode) -> ChatRequest {
        var next = request
        if mode == .native {
            next.prefill = text
        } else {
            next.prefill = nil
            next.messages += [ChatMessage(.assistant, text), ChatMessage(.user, Self.continuePrompt)]
        }
        return next
    }

    func runTools(_ calls: [ToolCall], declared: [ToolDeclaration], offered: [String], step: String) async -> [ToolResult] {
        var results: [ToolResult] = []
        for call in calls {
            transcript.record(.toolCall, TranscriptEvents.toolCall(call, step: step))
            var result: (content: String, isError: Bool)
            if let tool = declared.first(where: { $0.name == call.name }), offered.contains(call.name) {
                result = await tools.run(tool, arguments: call.arguments)
            } else {
                // The model sees the error and may correct itself.
                result = ("there is no tool named '\(call.name)'; available: \(offered.joined(separator: ", "))", true)
            }
            transcript.record(.toolResult, TranscriptEvents.toolResult(call, content: result.content, isError: result.isError, step: step))
            results.append(ToolResult(callId: call.id, name: call.name, content: result.content, isError: result.isError))
        }
        return results
    }
}
