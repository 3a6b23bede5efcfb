import Foundation
import FlowSource
import FlowCore

/// `flow batch status|cancel [ID]`: the batches `flow test --batch` has in flight, from the
/// project's ledger (.flow/batches), with where each stands at the provider.
enum BatchCommand {
    /// The project's ledger: `.flow/batches` beside `.flow/runs`.
    static func ledger() -> BatchLedger {
        let runs = RunsDirectory.path(from: FileManager.default.currentDirectoryPath)
        return BatchLedger(directory: PathText.directory(of: runs) + "/batches")
    }

    static func main(_ arguments: ParsedArguments) async -> Int32 {
        let action = arguments.positionals[0]
        guard action == "status" || action == "cancel" else {
            Terminal.report(UsageError(message: "flow batch takes status or cancel, got '\(action)'", command: Commands.batch))
            return ExitStatus.usage
        }
        let id = arguments.positionals.count > 1 ? arguments.positionals[1] : nil
        let entries = ledger().entries().filter { id == nil || $0.batchID == id || $0.digest.hasPrefix(id!) }
        if let id, entries.isEmpty {
            Terminal.err("error: no batch '\(id)' in \(RunsDirectory.display(ledger().directory))\nhint: 'flow batch status' lists them\n")
            return ExitStatus.noInput
        }
        let registry = ProviderRegistry(environment: ProcessEnvironment.current, transport: URLSessionTransport(), mockReplies: [])
        var rows: [JSON] = []
        var failed = false
        for entry in entries {
            var state = entry.state, done: Int?, note: String?
            do throws(ProviderError) {
                guard let model = ModelRef(parsing: entry.model) else { throw ProviderError(.configuration, "bad model '\(entry.model)'") }
                let client = try registry.batchClient(for: model)
                let status = action == "cancel" ? try await client.cancel(entry.batchID) : try await client.status(entry.batchID)
                state = status.providerState
                done = status.finished
            } catch {
                note = error.message
                failed = failed || action == "cancel"
            }
            rows.append(.object(omittingNil: [("batch_id", .string(entry.batchID)), ("model", .string(entry.model)),
                                              ("requests", .int(entry.requests)), ("done", done.map(JSON.int)), ("state", .string(state)),
                                              ("submitted_at", .string(entry.submittedAt)), ("cassette", .string(entry.cassette)),
                                              ("note", note.map(JSON.string))]))
            if !arguments.flags.contains("--json") {
                let progress = done.map { "\($0)/\(entry.requests) done" } ?? "\(entry.requests) requests"
                Terminal.out("\(entry.batchID)  \(entry.model)  \(state)  \(progress)  submitted \(entry.submittedAt)  → \(entry.cassette)\n")
                if let note { Terminal.out("  (\(note))\n") }
            }
        }
        if arguments.flags.contains("--json") {
            Terminal.out(JSON.object([("batches", .array(rows))]).pretty + "\n")
        } else if entries.isEmpty {
            Terminal.out("no batches in flight\n")
        } else if action == "cancel" {
            Terminal.out("the next 'flow test --batch' reads what the cancelled batches finished and fails the rest\n")
        }
        return failed ? ExitStatus.unavailable : ExitStatus.ok
    }
}
