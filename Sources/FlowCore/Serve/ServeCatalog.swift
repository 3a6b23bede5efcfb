import Foundation
import FlowSource

/// The workflows `flow serve` runs, by name: every workflow file under its directory (YAML with a
/// top-level `flow:` key), loaded and validated. `refresh` reloads a file whose bytes (or whose
/// templates') changed; one that no longer validates keeps its last good version, and the
/// catalog says so (`problems`), so a bad edit never takes a served workflow down.
public final class ServeCatalog: Sendable {
    public struct Entry: Sendable {
        public var name: String
        public var loaded: LoadedWorkflow
        /// The file's problems when its newest version did not load; the entry is the last good one.
        public var problem: String?
        var fingerprint: String
    }

    let directory: String
    private let state = Locked<[String: Entry]>([:])
    /// Files found that never loaded: path → problem.
    private let broken = Locked<[String: String]>([:])

    public init(directory: String) { self.directory = directory }

    public func entry(_ name: String) -> Entry? { state.withLock { $0[name] } }
    public var entries: [Entry] { state.withLock { $0.values.sorted { $0.name < $1.name } } }
    /// Every file that does not load now, with why.
    public var problems: [(String, String)] {
        let stale = entries.compactMap { entry in entry.problem.map { (entry.loaded.source.path, $0) } }
        return (stale + broken.withLock { $0.map { ($0.key, $0.value) } }).sorted { $0.0 < $1.0 }
    }

    /// Reads the directory again; returns lines saying what changed.
    @discardableResult
    public func refresh(files: [String]) -> [String] {
        var said: [String] = []
        var seen: Set<String> = []
        for path in files {
            let fingerprint = Self.fingerprint(path, templates: state.withLock { $0.values.first { $0.loaded.source.path == path }?.loaded.templateFiles.map(\.path) } ?? [])
            if let existing = state.withLock({ $0.values.first { $0.loaded.source.path == path } }), existing.fingerprint == fingerprint {
                seen.insert(existing.name)
                continue
            }
            do {
                let loaded = try WorkflowLoader.load(path: path)
                let name = Self.name(of: path)
                let fresh = Entry(name: name, loaded: loaded, problem: nil, fingerprint: Self.fingerprint(path, templates: loaded.templateFiles.map(\.path)))
                let replaced = state.withLock { entries -> Bool in
                    defer { entries[name] = fresh }
                    return entries[name] != nil
                }
                broken.withLock { $0[path] = nil }
                said.append((replaced ? "reloaded " : "serving ") + name + " (" + path + ")")
                seen.insert(name)
            } catch {
                let message = error.description
                let name = Self.name(of: path)
                let kept = state.withLock { entries -> Bool in
                    guard var entry = entries[name] else { return false }
                    entry.problem = message
                    entry.fingerprint = fingerprint
                    entries[name] = entry
                    return true
                }
                if kept {
                    seen.insert(name)
                    said.append("\(path) no longer validates; still serving its last good version:\n" + message)
                } else if broken.withLock({ $0[path] }) != message {
                    broken.withLock { $0[path] = message }
                    said.append("\(path) does not validate and is not served:\n" + message)
                }
            }
        }
        let gone = state.withLock { entries -> [String] in
            let names = entries.keys.filter { !seen.contains($0) }
            for name in names { entries[name] = nil }
            return names.sorted()
        }
        for name in gone { said.append("stopped serving \(name): its file is gone") }
        return said
    }

    /// `support` for `workflows/support.yaml`.
    public static func name(of path: String) -> String {
        let file = (path as NSString).lastPathComponent
        return file.hasSuffix(".yaml") ? String(file.dropLast(5)) : file.hasSuffix(".yml") ? String(file.dropLast(4)) : file
    }

    /// Size and modification time of the file and its templates: cheap to read every second.
    static func fingerprint(_ path: String, templates: [String]) -> String {
        ([path] + templates).map { file in
            let attributes = try? FileManager.default.attributesOfItem(atPath: file)
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            let time = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
            return "\(file):\(size):\(time)"
        }.joined(separator: "|")
    }

    /// The inputs of a workflow as a JSON Schema of the run request's `vars`.
    public static func inputSchema(_ workflow: Workflow) -> JSON {
        var properties: [(String, JSON)] = []
        for variable in workflow.vars {
            var property: [(String, JSON)] = []
            switch variable.defaultValue {
            case .string?: property.append(("type", .string("string")))
            case .bool?: property.append(("type", .string("boolean")))
            case .int?, .double?, .number?: property.append(("type", .string("number")))
            case .list?: property.append(("type", .string("array")))
            case .map?: property.append(("type", .string("object")))
            default: break
            }
            if let value = variable.defaultValue { property.append(("default", JSON(value))) }
            properties.append((variable.name, .object(property)))
        }
        return .object([("type", .string("object")), ("properties", .object(properties)),
                        ("required", .array(workflow.vars.filter { $0.defaultValue == nil }.map { .string($0.name) })),
                        ("additionalProperties", .bool(false))])
    }
}
