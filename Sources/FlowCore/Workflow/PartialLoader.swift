import Foundation
import FlowSource
import FlowTemplate

/// Finds and reads the partials a workflow's templates name. Partials come from one directory:
/// the workflow's `partials:` setting, or else the nearest `templates/` in the workflow's
/// directory or above it (stopping at the repository root). A name cannot leave that directory.
struct PartialLoader {
    static let fileExtension = ".mustache"
    /// Dynamic partial names load the whole directory; this bounds how much.
    static let maxFiles = 1000

    let directory: String?
    private(set) var loaded: [String: LoadedTemplate] = [:]
    private(set) var files: [TemplateFile] = []
    private(set) var problems: [Diagnostic] = []

    init(directory: String?) { self.directory = directory }

    /// The partials directory for `workflow`, or nil when there is none.
    static func directory(for workflow: Workflow, workflowDirectory: String) -> String? {
        directory(configured: workflow.partials, workflowDirectory: workflowDirectory)
    }

    /// The directory `partials:` names (relative to the workflow), or the nearest templates/.
    static func directory(configured: String?, workflowDirectory: String) -> String? {
        let base = workflowDirectory.isEmpty ? "." : workflowDirectory
        if let configured {
            return WorkflowLoader.normalize(configured.hasPrefix("/") ? configured : base + "/" + configured)
        }
        var current = base
        for _ in 0..<8 {
            let candidate = WorkflowLoader.normalize(current + "/templates")
            if FileBytes.kind(candidate) == .directory { return candidate }
            if FileBytes.kind(current + "/.git") != nil { return nil }
            current = WorkflowLoader.normalize(current + "/..")
        }
        return nil
    }

    /// Loads every partial named by `templates`, and by the partials themselves, transitively.
    mutating func load(referencedBy templates: [LoadedTemplate]) {
        var queue = templates
        var dynamic = false
        while let referrer = queue.popLast() {
            dynamic = dynamic || referrer.template.usesDynamicPartials
            for (name, mark) in referrer.template.partialReferences where loaded[name] == nil {
                guard let partial = load(name, at: mark, in: referrer) else { continue }
                queue.append(partial)
            }
        }
        if dynamic { loadAll() }
    }

    private mutating func load(_ name: String, at mark: Mark, in referrer: LoadedTemplate) -> LoadedTemplate? {
        func problem(_ message: String, _ hint: String?) -> LoadedTemplate? {
            problems.append(referrer.diagnostic(TemplateError(mark: mark, message: message, hint: hint)))
            return nil
        }
        // A missing partial renders as nothing under `strict: false`, as the template promises;
        // a name that leaves the directory is refused either way.
        func missing(_ message: String, _ hint: String?) -> LoadedTemplate? {
            referrer.strict ? problem(message, hint) : nil
        }
        guard let directory else {
            return missing("partial '\(name)' not found: there is no templates/ directory beside the workflow or above it",
                           "create templates/\(name)\(Self.fileExtension), or set 'partials:' in the workflow")
        }
        guard Self.isContained(name) else {
            return problem("partial name '\(name)' leaves the partials directory \(directory)",
                           "name partials by their path inside \(directory), without '..' or a leading '/'")
        }
        guard let path = Self.file(for: name, in: directory) else {
            let known = Self.names(in: directory)
            return missing("partial '\(name)' not found in \(directory)",
                           Suggestion.hint(for: name, in: known) ?? "create \(directory)/\(name)\(Self.fileExtension)")
        }
        guard Self.resolvesInside(path, directory) else {
            return problem("partial '\(name)' is a link that leads out of \(directory)", "partials must be files inside \(directory)")
        }
        return read(name, path: path, strict: referrer.strict)
    }

    /// Reads a partial; it inherits its referrer's strictness, so what it names is judged alike.
    private mutating func read(_ name: String, path: String, strict: Bool = true) -> LoadedTemplate? {
        guard let data = FileOverlay.documents[path] ?? FileBytes.read(path) else {
            problems.append(Diagnostic(path: path, mark: nil, message: "partial file cannot be read"))
            return nil
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            problems.append(Diagnostic(path: path, mark: nil, message: "partial file is not valid UTF-8"))
            return nil
        }
        let file = SourceFile(path: path, text: text)
        do {
            let partial = LoadedTemplate(template: try Template(text), file: file, inlineMark: nil, strict: strict)
            loaded[name] = partial
            files.append(TemplateFile(path: path, sha256: SHA256.hex([UInt8](data))))
            return partial
        } catch {
            problems.append(Diagnostic(file, error.mark, error.message, hint: error.hint))
            return nil
        }
    }

    /// A name picked at render time may be any partial, so all of them are loaded.
    private mutating func loadAll() {
        guard let directory else { return }
        var queue: [LoadedTemplate] = []
        for name in Self.names(in: directory) where loaded[name] == nil {
            if let path = Self.file(for: name, in: directory), Self.resolvesInside(path, directory),
               let partial = read(name, path: path) {
                queue.append(partial)
            }
        }
        load(referencedBy: queue)
    }

    static func isContained(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix("/") && !name.contains("\0")
            && !name.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0.isEmpty }
    }

    static func file(for name: String, in directory: String) -> String? {
        for candidate in [directory + "/" + name + fileExtension, directory + "/" + name] {
            if let kind = FileBytes.kind(candidate), kind != .directory { return candidate }
        }
        return nil
    }

    private static func resolvesInside(_ path: String, _ directory: String) -> Bool {
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let root = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        return real.hasPrefix(root + "/")
    }

    /// Partial names in `directory`: paths of `.mustache` files without the extension.
    static func names(in directory: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var names: [String] = []
        while let relative = enumerator.nextObject() as? String, names.count < maxFiles {
            if relative.hasSuffix(fileExtension) { names.append(String(relative.dropLast(fileExtension.count))) }
        }
        return names.sorted()
    }
}
