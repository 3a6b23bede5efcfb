import Foundation
import FlowSource

/// `flow lsp`'s logic: Language Server Protocol messages in, messages out. It keeps the open
/// buffers and, on every change, checks each open workflow exactly as `flow validate` does (the
/// same loader, the same messages), reading open buffers before the disk, so a problem in a
/// template or a called workflow shows in that file as the user types. The stdio framing is
/// the command's (Sources/flow/LSPCommand.swift); this type sends and reads nothing itself.
/// Protocol version 3.17; documents are synced whole (`TextDocumentSyncKind.Full`).
public struct LanguageServer {
    /// Open buffers by URI.
    var documents: [String: String] = [:]
    /// URIs that were sent diagnostics, so a fixed file is sent an empty list.
    var published: Set<String> = []
    var shutdownRequested = false

    public init() {}

    /// What a message asks of the server: the messages to send back (responses and
    /// notifications, in order), and an exit status once `exit` arrives.
    public mutating func handle(_ message: JSON) -> (send: [JSON], exit: Int32?) {
        let method = message["method"]?.string ?? ""
        let id = message["id"]
        let params = message["params"] ?? .null
        func reply(_ result: JSON) -> [JSON] {
            guard let id else { return [] }
            return [.object([("jsonrpc", .string("2.0")), ("id", id), ("result", result)])]
        }
        switch method {
        case "initialize":
            return (reply(Self.capabilities), nil)
        case "initialized", "$/setTrace", "workspace/didChangeConfiguration", "textDocument/didSave":
            return ([], nil)
        case "textDocument/didOpen":
            guard let uri = params["textDocument"]?["uri"]?.string else { return ([], nil) }
            documents[uri] = params["textDocument"]?["text"]?.string ?? ""
            return (diagnose(), nil)
        case "textDocument/didChange":
            guard let uri = params["textDocument"]?["uri"]?.string, let text = params["contentChanges"]?.array?.last?["text"]?.string else { return ([], nil) }
            documents[uri] = text
            return (diagnose(), nil)
        case "textDocument/didClose":
            guard let uri = params["textDocument"]?["uri"]?.string else { return ([], nil) }
            documents[uri] = nil
            return (diagnose(), nil)
        case "textDocument/completion":
            if let uri = params["textDocument"]?["uri"]?.string, !Self.isWorkflow(uri) {
                return (reply(templateCompletion(uri, params: params)), nil)
            }
            return (reply(at(params) { EditorFeatures.completion($0, line: $1, column: $2, path: $3) } ?? .array([])), nil)
        case "textDocument/hover":
            return (reply(at(params) { EditorFeatures.hover($0, line: $1, column: $2, path: $3) } ?? .null), nil)
        case "textDocument/definition":
            return (reply(at(params) { EditorFeatures.definition($0, line: $1, column: $2, path: $3) } ?? .null), nil)
        case "textDocument/documentSymbol":
            guard let uri = params["textDocument"]?["uri"]?.string, let text = documents[uri] else { return (reply(.array([])), nil) }
            return (reply(EditorFeatures.symbols(EditorText(text))), nil)
        case "shutdown":
            shutdownRequested = true
            return (reply(.null), nil)
        case "exit":
            return ([], shutdownRequested ? 0 : 1)
        default:
            // A request the server does not serve is answered; a notification is let go.
            guard let id else { return ([], nil) }
            return ([.object([("jsonrpc", .string("2.0")), ("id", id),
                              ("error", .object([("code", .int(-32601)), ("message", .string("flow lsp does not serve \(method)"))]))])], nil)
        }
    }

    static var capabilities: JSON {
        .object([
            ("capabilities", .object([
                ("textDocumentSync", .object([("openClose", .bool(true)), ("change", .int(1))])),
                ("completionProvider", .object([("triggerCharacters", .array(["{", ":", " "].map(JSON.string)))])),
                ("hoverProvider", .bool(true)),
                ("definitionProvider", .bool(true)),
                ("documentSymbolProvider", .bool(true)),
            ])),
            ("serverInfo", .object([("name", .string("flow")), ("version", .string(Interpreter.version))])),
        ])
    }

    /// Completion in a template file: inside `{{ }}`, the names of the open workflows that use it.
    func templateCompletion(_ uri: String, params: JSON) -> JSON {
        guard let text = documents[uri], let line = params["position"]?["line"]?.int, let column = params["position"]?["character"]?.int,
              EditorText.inTag(EditorText(text).prefix(line: line, column: column)) else { return .array([]) }
        let name = String(uri.split(separator: "/").last ?? "")
        var seen: Set<String> = []
        var entries: [(String, String?)] = []
        for (other, workflow) in documents.sorted(by: { $0.key < $1.key }) where Self.isWorkflow(other) && workflow.contains(name) {
            for found in EditorFeatures.names(in: EditorText(workflow)) where seen.insert(found.name).inserted {
                entries.append((found.name, found.detail + " (\(other.split(separator: "/").last ?? ""))"))
            }
        }
        return EditorFeatures.items(entries, kind: 6)
    }

    /// Runs a feature at the request's position in its open document.
    private func at(_ params: JSON, _ feature: (EditorText, Int, Int, String) -> JSON?) -> JSON? {
        guard let uri = params["textDocument"]?["uri"]?.string, let text = documents[uri],
              let line = params["position"]?["line"]?.int, let column = params["position"]?["character"]?.int else { return nil }
        return feature(EditorText(text), line, column, Self.path(of: uri))
    }

    // MARK: Diagnostics

    /// `publishDiagnostics` for every file the open workflows' problems are in, and an empty
    /// list for each file that had problems and has none now.
    mutating func diagnose() -> [JSON] {
        var byFile: [String: [JSON]] = [:]
        let overlay = Dictionary(documents.map { (Self.path(of: $0.key), Array($0.value.utf8)) }, uniquingKeysWith: { a, _ in a })
        for (uri, _) in documents where Self.isWorkflow(uri) {
            byFile[uri, default: []] += []
            let found = FileOverlay.$documents.withValue(overlay) { Self.problems(path: Self.path(of: uri)) }
            for diagnostic in found {
                let file = diagnostic.path.hasPrefix("/") ? "file://" + diagnostic.path : uri
                let text = documents[file] ?? String(decoding: overlay[diagnostic.path] ?? FileBytes.read(diagnostic.path) ?? [], as: UTF8.self)
                let item = Self.lspDiagnostic(diagnostic, in: EditorText(text))
                if !(byFile[file] ?? []).contains(item) { byFile[file, default: []].append(item) }
            }
        }
        for uri in published where byFile[uri] == nil { byFile[uri] = [] }
        published = Set(byFile.filter { !$0.value.isEmpty }.keys)
        return byFile.keys.sorted().map { uri in
            .object([("jsonrpc", .string("2.0")), ("method", .string("textDocument/publishDiagnostics")),
                     ("params", .object([("uri", .string(uri)), ("diagnostics", .array(byFile[uri]!))]))])
        }
    }

    /// What `flow validate` says of the workflow at `path`: its errors, or its warnings.
    static func problems(path: String) -> [Diagnostic] {
        do {
            return try WorkflowLoader.load(path: path).warnings
        } catch {
            return error.diagnostics
        }
    }

    /// A flow diagnostic at its LSP range: from its column over the word it names.
    static func lspDiagnostic(_ diagnostic: Diagnostic, in text: EditorText) -> JSON {
        let line = max(0, (diagnostic.mark?.line ?? 1) - 1)
        let characters = text.lines.indices.contains(line) ? Array(text.lines[line]) : []
        let column = min(max(0, (diagnostic.mark?.column ?? 1) - 1), characters.count)
        let start = String(characters.prefix(column)).utf16.count
        var end = text.word(line: line, column: start).map { $0.start == start ? $0.end : start + 1 } ?? start + 1
        // A template tag is marked whole: `{{name}}`.
        let rest = String(characters.dropFirst(column))
        if rest.hasPrefix("{{"), let close = rest.range(of: "}}") { end = start + rest[..<close.upperBound].utf16.count }
        let message = diagnostic.message + (diagnostic.hint.map { "\nhint: " + $0 } ?? "")
        return .object([
            ("range", range(line: line, start: start, end: end)),
            ("severity", .int(diagnostic.isWarning ? 2 : 1)),
            ("source", .string("flow")),
            ("message", .string(message)),
        ])
    }

    static func range(line: Int, start: Int, end: Int) -> JSON {
        .object([("start", .object([("line", .int(line)), ("character", .int(start))])),
                 ("end", .object([("line", .int(line)), ("character", .int(end))]))])
    }

    /// A workflow buffer: YAML, not the project config.
    static func isWorkflow(_ uri: String) -> Bool {
        (uri.hasSuffix(".yaml") || uri.hasSuffix(".yml")) && !uri.hasSuffix("/" + ProjectConfig.fileName)
    }

    /// The file path of a `file://` URI, percent-escapes decoded.
    static func path(of uri: String) -> String {
        let path = uri.hasPrefix("file://") ? String(uri.dropFirst("file://".count)) : uri
        return path.removingPercentEncoding ?? path
    }
}
