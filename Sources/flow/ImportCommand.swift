import Foundation
import FlowCore
import FlowSource

/// `flow import FILE`: a GitHub Models `.prompt.yml` or a `.prompty` file becomes a flow workflow
/// beside it (`NAME.yaml`, its templates `NAME.*.mustache`), with what could not be carried over
/// listed line by line. Nothing that exists is overwritten.
enum ImportCommand {
    static func main(_ arguments: ParsedArguments) -> Int32 {
        let path = arguments.positionals[0]
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            Terminal.err("error: cannot read '\(path)'\n")
            return ExitStatus.noInput
        }
        let file = (path as NSString).lastPathComponent
        let directory = PathText.directory(of: path)
        let source = SourceFile(path: path, text: text)
        // A file the imported one names (`${file:…}`, `file://…`), relative to it.
        let read = { (relative: String) -> String? in
            FileManager.default.contents(atPath: (directory.isEmpty || relative.hasPrefix("/") ? "" : directory + "/") + relative).flatMap { String(data: $0, encoding: .utf8) }
        }
        let imported: ImportedWorkflow
        let name: String
        do {
            if let base = ["prompt.yml", "prompt.yaml"].lazy.compactMap({ file.hasSuffix("." + $0) ? String(file.dropLast($0.count + 1)) : nil }).first {
                name = base
                imported = try PromptYAMLImport.convert(source, name: name)
            } else if file.hasSuffix(".prompty") {
                name = String(file.dropLast(".prompty".count))
                imported = try PromptyImport.convert(source, name: name, readFile: read)
            } else if file.lowercased().hasPrefix("promptfooconfig") && (file.hasSuffix(".yaml") || file.hasSuffix(".yml")) {
                // Named after the directory that holds the config, as promptfoo projects are.
                let folder = (PathText.directory(of: FileManager.default.currentDirectoryPath + "/" + path) as NSString).lastPathComponent
                name = folder.isEmpty || folder == "." || !folder.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) ? "promptfoo" : folder
                imported = try PromptfooImport.convert(source, name: name, readFile: read)
            } else if file.hasSuffix(".json"), OpenAIEvalImport.recognizes(text) {
                name = String(file.dropLast(".json".count))
                imported = try OpenAIEvalImport.convert(source, name: name, readFile: read)
            } else if file.hasSuffix(".yaml") || file.hasSuffix(".yml"), EvalsRegistryImport.recognizes(text) {
                name = String(file.prefix { $0 != "." })
                imported = try EvalsRegistryImport.convert(source, name: name, readFile: read)
            } else {
                Terminal.report(UsageError(message: "flow import reads .prompt.yml (GitHub Models), .prompty, promptfooconfig.yaml, OpenAI Evals exports (.json) and evals registry files, not '\(file)'", command: Commands.importer))
                return ExitStatus.usage
            }
        } catch {
            Terminal.err(error.description + "\n")
            return ExitStatus.invalid
        }
        let prefix = directory.isEmpty ? "" : directory + "/"
        // A registry file is YAML too: the workflow beside it must not take its name.
        let stem = name + (imported.workflowBesideSameName ? ".flow" : "")
        var outputs = [(prefix + stem + ".yaml", imported.workflow)] + imported.files.map { (prefix + $0.path, $0.text + ($0.text.hasSuffix("\n") ? "" : "\n")) }
        // The compatible servers go in a new flow.config.yaml; an existing one is the user's, so
        // what it needs is printed instead.
        var configAdvice = ""
        if let config = imported.config {
            if FileManager.default.fileExists(atPath: prefix + "flow.config.yaml") {
                configAdvice = "add to \(prefix)flow.config.yaml (the servers the models name):\n" + config.split(separator: "\n").map { "  " + $0 + "\n" }.joined()
            } else {
                outputs.append((prefix + "flow.config.yaml", config))
            }
        }
        let existing = outputs.map(\.0).filter { FileManager.default.fileExists(atPath: $0) }
        guard existing.isEmpty else {
            Terminal.err("error: flow import would overwrite " + existing.joined(separator: ", ") + "\nhint: nothing was written; move those files away first\n")
            return ExitStatus.cantCreate
        }
        for (target, contents) in outputs {
            do {
                try Data(contents.utf8).write(to: URL(fileURLWithPath: target), options: .withoutOverwriting)
            } catch {
                Terminal.err("error: cannot write '\(target)': \(error.localizedDescription)\n")
                return ExitStatus.cantCreate
            }
        }
        var report = "wrote " + outputs.map(\.0).joined(separator: ", ") + "\n"
        if imported.notes.isEmpty {
            report += "everything was carried over\n"
        } else {
            // By line, as a reader goes through the original file.
            let ordered = imported.notes.enumerated().sorted { a, b in
                let lines = [a.element, b.element].map { Int($0.split(separator: ":").dropFirst().first ?? "") ?? 0 }
                return lines[0] != lines[1] ? lines[0] < lines[1] : a.offset < b.offset
            }.map(\.element)
            report += "not carried over (\(ordered.count)):\n" + ordered.map { "  " + $0 + "\n" }.joined()
        }
        // `flow test` only where the import wrote cases; else a render with the inputs it needs.
        report += configAdvice
        let check = imported.needsRecording ? "flow test \(prefix + stem).yaml --live --record (once, with the providers' keys; then flow test replays offline)"
            : imported.hasTests ? "flow test \(prefix + stem).yaml"
            : "flow render \(prefix + stem).yaml" + imported.required.map { " --var \($0)=…" }.joined()
        report += "next: flow validate \(prefix + stem).yaml && \(check)\n"
        Terminal.out(report)
        return ExitStatus.ok
    }
}
