import Foundation
import Testing

/// FlowCore's folders depend on each other one way (docs/architecture.md draws the layers). The
/// check reads the sources: a folder depends on another when one of its files names a type the
/// other declares, or calls a member that the other adds to a type by an extension (a member
/// living in the wrong folder makes an edge no type name shows). Any cycle fails here, of two
/// folders or more, naming the folders and what each uses of the next.
@Suite struct FolderLayeringTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/FlowCore").path

    /// Each Swift file of FlowCore with its folder and its text, comments removed.
    static func files() throws -> [(folder: String, text: String)] {
        let names = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return try names.filter { $0.hasSuffix(".swift") && $0.contains("/") }.map { name in
            let text = try String(contentsOfFile: root + "/" + name, encoding: .utf8)
            let code = text.split(separator: "\n").map { line in line.components(separatedBy: "//").first ?? "" }.joined(separator: "\n")
            return (String(name.split(separator: "/")[0]), code)
        }
    }

    @Test func noCycleOfFolders() throws {
        let files = try Self.files()
        #expect(files.count > 50, "the sources were found at \(Self.root)")
        let declaration = try NSRegularExpression(pattern: #"(?m)^(?:public |internal |private |fileprivate )?(?:final )?(?:indirect )?(?:struct|enum|class|protocol|actor|typealias)\s+([A-Z]\w*)"#)
        var owner: [String: String] = [:]
        for file in files {
            let range = NSRange(file.text.startIndex..., in: file.text)
            for match in declaration.matches(in: file.text, range: range) {
                if let name = Range(match.range(at: 1), in: file.text).map({ String(file.text[$0]) }), owner[name] == nil {
                    owner[name] = file.folder
                }
            }
        }
        var uses: [String: [String: Set<String>]] = [:]
        for file in files {
            let words = Set(file.text.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init))
            for (name, folder) in owner where folder != file.folder && words.contains(name) {
                uses[file.folder, default: [:]][folder, default: []].insert(name)
            }
        }
        // Members added by `extension Type` in a folder that does not own Type: a call of one
        // (`.name(` or `.name` as a property) from a third folder depends on the extending folder.
        for (member, type, folder) in Self.extensionMembers(files, owner: owner) {
            let call = try NSRegularExpression(pattern: "\\.\(NSRegularExpression.escapedPattern(for: member))\\b")
            for file in files where file.folder != folder {
                if call.firstMatch(in: file.text, range: NSRange(file.text.startIndex..., in: file.text)) != nil {
                    uses[file.folder, default: [:]][folder, default: []].insert(type + "." + member)
                }
            }
        }
        // The graph as it is, for docs/architecture.md.
        for folder in uses.keys.sorted() { print("FlowCore/\(folder) → " + uses[folder]!.keys.sorted().joined(separator: ", ")) }
        for cycle in Self.cycles(uses.mapValues { Set($0.keys) }) {
            let next: [String] = Array(cycle.dropFirst()) + [cycle[0]]
            let steps: [String] = zip(cycle, next).map { from, to in "\(from) uses \(uses[from]?[to]?.sorted() ?? []) of \(to)" }
            let message = "a cycle of folders: " + steps.joined(separator: "; ")
            Issue.record(Comment(rawValue: message))
        }
    }

    /// `(member, extended type, folder)` for each member an extension declares on a type another
    /// FlowCore folder owns. Members of common names (init, description) are left out: a call
    /// of them does not say whose it is.
    static func extensionMembers(_ files: [(folder: String, text: String)], owner: [String: String]) -> [(String, String, String)] {
        let member = try! NSRegularExpression(pattern: #"^\s+(?:public |internal )?(?:static )?(?:mutating )?(?:func|var|let)\s+([a-zA-Z_]\w*)"#, options: .anchorsMatchLines)
        var found: [(String, String, String)] = []
        for file in files {
            var type: String?
            var depth = 0
            for line in file.text.split(separator: "\n", omittingEmptySubsequences: false) {
                let text = String(line)
                if depth == 0, let match = text.range(of: #"^(?:public )?extension\s+([A-Z]\w*)"#, options: .regularExpression) {
                    let name = text[match].split(separator: " ").last.map(String.init) ?? ""
                    type = owner[name] != nil && owner[name] != file.folder ? name : nil
                }
                if let type, depth == 1, let match = member.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                   let range = Range(match.range(at: 1), in: text), !["description", "hash", "init"].contains(String(text[range])) {
                    found.append((String(text[range]), type, file.folder))
                }
                depth += text.filter { $0 == "{" }.count - text.filter { $0 == "}" }.count
                if depth == 0 { type = nil }
            }
        }
        return found
    }

    /// Every elementary cycle's folders, each once (rotated to start at its least name).
    static func cycles(_ graph: [String: Set<String>]) -> [[String]] {
        var found: Set<[String]> = []
        func walk(_ path: [String]) {
            for next in graph[path.last!] ?? [] {
                if next == path[0] {
                    let start = path.firstIndex(of: path.min()!)!
                    found.insert(Array(path[start...] + path[..<start]))
                } else if !path.contains(next), next > path[0] {
                    walk(path + [next])
                }
            }
        }
        for node in graph.keys.sorted() { walk([node]) }
        return found.sorted { $0.lexicographicallyPrecedes($1) }
    }
}
