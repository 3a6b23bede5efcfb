import FlowCore

/// `flow validate FILE...`: load each file as `run` would, send nothing.
enum ValidateCommand {
    static func main(_ arguments: ParsedArguments) -> Int32 {
        let json = arguments.flags.contains("--json")
        var status = ExitStatus.ok
        var reports: [JSON] = []
        let paths: [String]
        do {
            // A directory stands for the workflow files below it, as for flow test.
            paths = try PathExpansion.workflows(arguments.positionals).files
        } catch {
            Terminal.err("\(error)\n")
            return ExitStatus.noInput
        }
        if paths.isEmpty {
            Terminal.err("error: no workflow files in \(arguments.positionals.joined(separator: ", "))\n")
            return ExitStatus.noInput
        }
        for path in paths {
            do {
                let loaded = try WorkflowLoader.load(path: path)
                for warning in loaded.warnings { Terminal.err(warning.description + "\n") }
                let steps = loaded.workflow.steps.count
                if json {
                    reports.append(.object([("file", .string(path)), ("valid", .bool(true)), ("steps", .int(steps)), ("errors", .array([])),
                                            ("warnings", Diagnostics.json(loaded.warnings))]))
                } else {
                    Terminal.out("\(path): ok (\(steps) step\(steps == 1 ? "" : "s"))\n")
                }
            } catch {
                Terminal.err(error.description + "\n")
                if json {
                    reports.append(.object([("file", .string(path)), ("valid", .bool(false)), ("errors", Diagnostics.json(error.diagnostics))]))
                }
                // An invalid file outranks a missing one: both fail, 65 says more.
                if case .unreadable = error { if status == ExitStatus.ok { status = ExitStatus.noInput } } else { status = ExitStatus.invalid }
            }
        }
        if json { Terminal.out(JSON.array(reports).serialized + "\n") }
        return status
    }
}
