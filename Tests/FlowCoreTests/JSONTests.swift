import FlowSource
import Testing
@testable import FlowCore

@Suite struct JSONTests {
    @Test func roundTripsWithKeyOrderKept() throws {
        let text = #"{"b":1,"a":[true,false,null,-2.5,"x\"\\\n\t\u0001é"],"c":{}}"#
        let value = try JSON.parse(text)
        #expect(value.serialized == #"{"b":1,"a":[true,false,null,-2.5,"x\"\\\n\t\u0001é"],"c":{}}"#)
    }

    @Test func escapesAndSurrogatePairs() throws {
        #expect(try JSON.parse(#""\u00e9\ud83d\ude00\/""#) == .string("é😀/"))
    }

    /// Runs of plain text are copied whole; the escapes between them must come out exactly as
    /// escaping scalar by scalar gives them, a combining mark after an escaped quote included.
    @Test(arguments: ["", "plain", "\"", "\\", "a\"\u{301}b", "line\nbreak\r\n", "\t\u{08}\u{0C}\u{00}\u{1F}\u{7F}",
                      "é日😀\"x\"", "\"\"\\\\", "end\\", String(repeating: "ab\n", count: 1000)])
    func stringLiteralsMatchScalarByScalarEscaping(_ text: String) throws {
        var expected = "\""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: expected += "\\\""
            case 0x5C: expected += "\\\\"
            case 0x0A: expected += "\\n"
            case 0x0D: expected += "\\r"
            case 0x09: expected += "\\t"
            case 0x08: expected += "\\b"
            case 0x0C: expected += "\\f"
            case 0..<0x20: expected += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: expected.unicodeScalars.append(scalar)
            }
        }
        expected += "\""
        #expect(Array(JSONStringLiteral.quoted(text).unicodeScalars) == Array(expected.unicodeScalars))
        #expect(try JSON.parse(JSONStringLiteral.quoted(text)) == .string(text))
    }

    @Test func numbers() throws {
        #expect(try JSON.parse("12") == .int(12))
        #expect(try JSON.parse("1e2") == .double(100))
        #expect(try JSON.parse("-0.5").double == -0.5)
        #expect(JSON.double(2).serialized == "2.0")
        #expect(JSON.double(.nan).serialized == "null")
    }

    @Test func errorsNameTheOffset() {
        #expect(throws: JSONError(message: "expected ',' or '}'", offset: 7)) { try JSON.parse(#"{"a":1 "b":2}"#) }
        #expect(throws: JSONError(message: "unexpected text after the value", offset: 3)) { try JSON.parse("{} x") }
        #expect(throws: JSONError(message: "unterminated string", offset: 4)) { try JSON.parse(#""abc"#) }
    }

    @Test func depthIsCapped() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONError(message: "nested deeper than 512 levels", offset: 512)) { try JSON.parse(deep) }
    }

    @Test func objectEqualityIgnoresOrder() {
        #expect(JSON.object([("a", .int(1)), ("b", .int(2))]) == JSON.object([("b", .int(2)), ("a", .int(1))]))
        #expect(JSON.object([("a", .int(1))]) != JSON.object([("a", .int(2))]))
    }
}

@Suite struct SHA256Tests {
    // FIPS 180-4 example vectors.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownDigests(input: String, digest: String) {
        #expect(SHA256.hex(input) == digest)
    }

    @Test func millionAs() {
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
