import Foundation
import Testing

/// FlowCore's folders depend on each other one way (docs/architecture.md draws the layers). The
/// check reads the sources: a folder depends on another when one of its files names a type the
/// other declares. A new two-way edge fails here, naming the types on both sides.
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

    @Test func noTwoFoldersDependOnEachOther() throws {
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
        for (a, targets) in uses {
            for (b, names) in targets where a < b {
                if let back = uses[b]?[a] {
                    Issue.record("\(a) and \(b) depend on each other: \(a) uses \(names.sorted()), \(b) uses \(back.sorted())")
                }
            }
        }
    }
}
