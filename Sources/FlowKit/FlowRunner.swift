import Foundation
import FlowCore
import FlowSource
import FlowTemplate

/// Runs workflows: the same interpreter as `flow run`, with the app choosing where requests go,
/// where records go and whether answers come from a cassette. One runner may run many
/// workflows at once; they share its pace per provider (declared `rate_limits:`, the limits the
/// providers' headers report), as the cases of one `flow test` do.
///
/// ```swift
/// let workflow = try FlowWorkflow.load(path: "workflows/support.yaml")
/// let result = try await FlowRunner().run(workflow, inputs: ["ticket": "I was charged twice."])
/// print(result.output ?? "", result.costUSD ?? 0)
/// ```
public struct FlowRunner: Sendable {
    let environment: [String: String]
    let transport: any HTTPTransport
    let transcript: FlowTranscript
    let cassette: FlowCassette?
    let gates: Locked<RateGates?>
    let jobs: Int

    /// - Parameters:
    ///   - environment: where API keys (`OPENAI_API_KEY`, …) and base URLs are read; the process's by default.
    ///   - transport: how requests are sent; `URLSession` by default.
    ///   - transcript: where each run's record goes; none by default.
    ///   - cassette: answers to replay, or a file to record them into.
    ///   - jobs: requests in flight at once to one provider, at most.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, transport: (any FlowTransport)? = nil,
                transcript: FlowTranscript = .none, cassette: FlowCassette? = nil, jobs: Int = 16) {
        self.environment = environment
        self.transport = transport.map { TransportBridge(inner: $0) } ?? URLSessionTransport()
        self.transcript = transcript
        self.cassette = cassette
        self.gates = Locked(nil)
        self.jobs = max(1, jobs)
        Secrets.register(environment: environment)
    }

    /// Runs `workflow` with `inputs` over its defaults and returns the result.
    /// - Throws: `FlowError` with kind `.input` (an unknown or missing input), `.run` (a failure
    ///   no retry fixed; `partial` holds the steps that finished) or `.cancelled`.
    public func run(_ workflow: FlowWorkflow, inputs: [String: FlowValue] = [:]) async throws(FlowError) -> FlowResult {
        try await run(workflow, inputs: inputs, onText: nil, onStep: nil)
    }

    /// Runs `workflow`, streaming: `.text` pieces as the provider sends them, `.step` as each
    /// answer is accepted, then `.finished` with the result. Cancelling the consuming task
    /// cancels the run.
    public func stream(_ workflow: FlowWorkflow, inputs: [String: FlowValue] = [:]) -> AsyncThrowingStream<FlowEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do throws(FlowError) {
                    let result = try await run(workflow, inputs: inputs,
                                               onText: { step, text in continuation.yield(.text(step: step, text)) },
                                               onStep: { step in continuation.yield(.step(step)) })
                    continuation.yield(.finished(result))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func run(_ workflow: FlowWorkflow, inputs: [String: FlowValue], onText: (@Sendable (String, String) -> Void)?,
             onStep: (@Sendable (FlowStep) -> Void)?) async throws(FlowError) -> FlowResult {
        let loaded = workflow.loaded
        let values: [String: TemplateValue]
        do {
            values = try Inputs.resolve(values: inputs.mapValues(\.templateValue), for: loaded.workflow)
        } catch {
            throw FlowError(kind: .input, message: error.message)
        }
        var registry = ProviderRegistry(environment: environment, transport: transport, mockReplies: loaded.workflow.mock,
                                        compatible: loaded.config.providers, keyFiles: loaded.config.keyFiles)
        registry.gates = gates.withLock { gates in
            if gates == nil { gates = RateGates(ceiling: jobs, declared: loaded.config.rateLimits) }
            return gates
        }
        let sink: any TranscriptSink
        switch transcript {
        case .none: sink = NullTranscript()
        case .custom(let inner): sink = SinkBridge(inner: inner)
        case .directory(let directory):
            do {
                sink = try TranscriptWriter.new(in: directory, name: loaded.workflow.name)
            } catch {
                throw FlowError(kind: .run, message: "cannot write the transcript in \(directory): \(error)")
            }
        }
        let base = PathText.directory(of: loaded.source.path)
        let parsing = Set(loaded.workflow.steps.filter { $0.parsesJSON || $0.schema != nil }.map(\.id))
        var interpreter = Interpreter(providers: registry, transcript: sink, onText: onText,
                                      tools: cassette.map { $0.use.tools(ProcessToolRunner(baseDirectory: base.isEmpty ? "." : base), live: false) { _ in } }
                                          ?? ProcessToolRunner(baseDirectory: base.isEmpty ? "." : base))
        interpreter.cassette = cassette?.use
        if let onStep { interpreter.onStep = { step in onStep(FlowStep(step, parsed: parsing.contains(step.id))) } }
        let result = await interpreter.run(loaded, inputs: values)
        let flowResult = FlowResult(result, parsing: parsing)
        if Task.isCancelled { throw FlowError(kind: .cancelled, message: "the run was cancelled", partial: flowResult) }
        if let error = result.error {
            throw FlowError(kind: error.kind == .usage ? .input : .run, message: error.description, partial: flowResult)
        }
        return flowResult
    }
}

/// What a streamed run reports as it goes.
public enum FlowEvent: Sendable {
    /// A piece of an answer's text as it arrives (step id, text).
    case text(step: String, String)
    /// An answer its step accepted.
    case step(FlowStep)
    /// The run ended; the last event.
    case finished(FlowResult)
}
