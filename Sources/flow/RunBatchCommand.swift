import Foundation
import FlowCore

/// `flow run FILE --batch --dataset DATA`: every row of a dataset through one workflow, answered
/// through the providers' Batch APIs round by round (as `flow test --batch`), into the
/// workflow's cassette; prints each row's output. Resumable the same way.
enum RunBatchCommand {
    typealias Stop = RunCommand.Stop

    static func main(_ arguments: ParsedArguments, settings: RunCommand.Settings, loaded: LoadedWorkflow) async throws(Stop) -> Int32 {
        func usage(_ message: String) -> Stop { RunCommand.usage(message, command: Commands.run) }
        guard let dataset = arguments.value("--dataset") else { throw usage("--batch needs --dataset FILE: the rows to run through the workflow") }
        for flag in ["--replay", "--record", "--stream"] where arguments.flags.contains(flag) {
            throw usage("--batch records every answer itself and prints when all are in: it does not take \(flag)")
        }
        let cases: [TestCase]
        do {
            cases = try Datasets.cases(path: dataset)
        } catch {
            Terminal.err(error.description + "\n")
            if case .unreadable = error { throw Stop(status: ExitStatus.noInput) }
            throw Stop(status: ExitStatus.invalid)
        }
        let cassettePath = arguments.value("--cassette")
            ?? (loaded.source.path.hasSuffix(".yaml") ? String(loaded.source.path.dropLast(5)) : loaded.source.path) + ".cassette.json"
        let store: CassetteStore
        do {
            store = try CassetteStore.open(cassettePath)
        } catch {
            Terminal.err("\(error)\n")
            throw Stop(status: ExitStatus.invalid)
        }
        let environment = ProcessEnvironment.current
        var runner = TestRunner(loaded: loaded, environment: environment, transport: URLSessionTransport(), prices: try RunCommand.loadPrices(arguments),
                                mode: .replay, record: false, cassette: store, jobs: 8)
        runner.retry = settings.retry
        Interruption.installForTests()
        Interruption.beforeExit { try? store.finish() }
        let (results, summary) = await TestCommand.batchRun(runner, environment: environment, loaded: loaded).run(cases)
        Interruption.parkIfInterrupted()
        try? store.finish()
        Terminal.err(TestReports.batchLine(summary))
        let failed = results.filter { $0.providerError != nil || !$0.failures.isEmpty }
        if settings.json {
            Terminal.out(JSON.object([
                ("status", .string(failed.isEmpty ? "succeeded" : "failed")),
                ("rows", .array(results.map { row in
                    .object(omittingNil: [("name", .string(row.name)), ("output", row.output.map(JSON.string)),
                                          ("error", (row.providerError ?? row.failures.first?.message).map(JSON.string))])
                })),
                ("batch", TestReports.batchJSON(summary)),
            ]).pretty + "\n")
        } else {
            for row in results {
                Terminal.out("── \(row.name)\n" + (row.output.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" } ?? ""))
                if let error = row.providerError ?? row.failures.first?.message { Terminal.err("\(row.name): error: \(error)\n") }
            }
        }
        if results.contains(where: { $0.providerError != nil }) { return ExitStatus.unavailable }
        return failed.isEmpty ? ExitStatus.ok : ExitStatus.failed
    }
}
