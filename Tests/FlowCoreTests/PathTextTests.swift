import Foundation
import FlowSource
import Testing

/// The load path's string helpers agree with the Foundation calls they replace.
@Suite struct PathTextTests {
    @Test(arguments: ["", "ab", "/", "/a", "a/b", "a/b/", "a//b", "/a/b/c.yaml", "./w.yaml", "../t/x", "a/./b",
                      "x//y///z/", "workflows/é/日.yaml", "/tmp/", "a/b//", "hello.yaml"])
    func directoryAgreesWithNSString(_ path: String) {
        #expect(PathText.directory(of: path) == (path as NSString).deletingLastPathComponent)
    }

    /// Where this Foundation goes wrong: it crashes on a one-character name (a workflow file
    /// called `w` ended `flow run w` with a trap) and gives "" for "//".
    @Test func directoryWhereFoundationFails() {
        #expect(PathText.directory(of: "w") == "")
        #expect(PathText.directory(of: "d/w") == "d")
        #expect(PathText.directory(of: "//") == "/")
    }

    @Test func asciiContainsAgreesWithFoundation() {
        for text in ["", "{", "{{", "a {{b}}", "é{{", "{ {", "x}}", "日本{{語"] {
            #expect(text.containsASCII("{{") == text.contains("{{"), "\(text)")
            #expect(text[...].containsASCII("{{") == text.contains("{{"), "\(text) as a Substring")
        }
        #expect(!"abc".containsASCII(""), "an empty part is never found, as firstOffset(of:) answers")
    }
}
