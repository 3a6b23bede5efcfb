import FlowSource
import FlowTemplate

extension WorkflowLoader {
    /// Reads the defaults of `{dataset: …}` variables: each row of the file, or one column of
    /// each; a row without the column is a located error, as a misspelt column is.
    static func loadDatasetVariables(_ workflow: inout Workflow, files: inout [TemplateFile], directory: String,
                                     root: ProjectRoot, source: SourceFile) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for index in workflow.vars.indices {
            guard let dataset = workflow.vars[index].dataset else { continue }
            let path = normalize(dataset.path.hasPrefix("/") || directory.isEmpty ? dataset.path : directory + "/" + dataset.path)
            do throws(LoadError) {
                try checkInside(root, path, referencedAt: dataset.mark, from: source)
                let bytes = try read(path, referencedAt: dataset.mark, from: source, what: "dataset")
                let datasetSource = try sourceFile(path: path, bytes: bytes)
                let rows: [([String: TemplateValue], Mark)]
                do throws(Diagnostic) { rows = try Datasets.placedRows(datasetSource) } catch { throw .invalid([error]) }
                files.append(TemplateFile(path: path, sha256: SHA256.hex(bytes)))
                guard let column = dataset.column else {
                    workflow.vars[index].defaultValue = .list(rows.map { .map($0.0) })
                    continue
                }
                var values: [TemplateValue] = []
                for (row, mark) in rows {
                    guard let value = row[column] else {
                        let columns = row.keys.sorted()
                        problems.append(Diagnostic(datasetSource, mark, "this row has no column '\(column)', which '\(workflow.vars[index].name)' reads",
                                                   hint: Suggestion.hint(for: column, in: columns) ?? "its columns: " + columns.joined(separator: ", ")))
                        break
                    }
                    values.append(value)
                }
                workflow.vars[index].defaultValue = .list(values)
            } catch {
                problems += error.diagnostics
            }
        }
        return problems
    }
}
