import FlowSource
import Testing
@testable import FlowYAML

/// Values, marks, anchors and the core schema.
@Suite struct YAMLValueTests {
    func load(_ text: String) throws -> Node {
        try #require(try YAML.load(SourceFile(path: "t.yaml", text: text)))
    }

    @Test(arguments: [
        ("true", Value.bool(true)), ("False", .bool(false)), ("TRUE", .bool(true)),
        ("null", .null), ("~", .null), ("", .null), ("NULL", .null),
        ("42", .int(42)), ("-7", .int(-7)), ("+3", .int(3)), ("0o17", .int(15)), ("0x1F", .int(31)),
        ("1.5", .float(1.5)), ("-0.25", .float(-0.25)), ("1e3", .float(1000)), (".5", .float(0.5)), ("2.", .float(2)),
        ("yes", .string("yes")), ("no", .string("no")), ("on", .string("on")), ("off", .string("off")),
        ("0x", .string("0x")), ("1.2.3", .string("1.2.3")), ("e3", .string("e3")), ("12abc", .string("12abc")),
        ("'true'", .string("true")), ("\"42\"", .string("42")), ("!!str 7", .string("7")), ("!!float 7", .float(7)),
        ("!!int 1.5", .string("1.5")),
    ])
    func coreSchema(text: String, expected: Value) throws {
        let node = try load("v: \(text)")
        #expect(node["v"]?.value == expected)
    }

    @Test func infinityAndNaN() throws {
        let node = try load("a: .inf\nb: -.Inf\nc: .nan")
        #expect(node["a"]?.value == .float(.infinity))
        #expect(node["b"]?.value == .float(-.infinity))
        guard case .float(let nan) = node["c"]?.value else { Issue.record("expected a float"); return }
        #expect(nan.isNaN)
    }

    @Test func marksAreOneBased() throws {
        let node = try load("name: x\nsteps:\n  - id: a\n    user: hi\n")
        #expect(node.mark == Mark(line: 1, column: 1))
        #expect(node["name"]?.mark == Mark(line: 1, column: 7))
        let step = try #require(node["steps"]?.sequence?.first)
        #expect(step.mark == Mark(line: 3, column: 5))
        #expect(step["user"]?.mark == Mark(line: 4, column: 11))
        #expect(node.mapping?[1].key.mark == Mark(line: 2, column: 1))
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let node = try load("é: ü\n")
        #expect(node["é"]?.mark == Mark(line: 1, column: 4))
    }

    @Test func scalarStylesAndBlockText() throws {
        let node = try load("a: plain\nb: 'single'\nc: \"double\\n\"\nd: |\n  line1\n  line2\ne: >\n  folded\n  text\n")
        #expect(node["a"]?.scalar == Scalar(text: "plain", style: .plain))
        #expect(node["b"]?.scalar == Scalar(text: "single", style: .singleQuoted))
        #expect(node["c"]?.scalar == Scalar(text: "double\n", style: .doubleQuoted))
        #expect(node["d"]?.scalar == Scalar(text: "line1\nline2\n", style: .literal))
        #expect(node["e"]?.scalar == Scalar(text: "folded text\n", style: .folded))
    }

    @Test func collectionsKeepOrderAndStyle() throws {
        let node = try load("z: [1, 2]\na: {k: v}\nm:\n  - x\n")
        #expect(node.mapping?.map { $0.key.scalar?.text } == ["z", "a", "m"])
        #expect(node["z"]?.collectionStyle == .flow)
        #expect(node["z"]?.sequence?.map(\.value) == [.int(1), .int(2)])
        #expect(node["a"]?["k"]?.value == .string("v"))
        #expect(node["m"]?.collectionStyle == .block)
    }

    @Test func anchorsAndAliasesResolve() throws {
        let node = try load("base: &p {temperature: 0.2, stop: [a, b]}\ncopy: *p\nname: &n hello\nagain: *n\n")
        #expect(node["copy"]?["temperature"]?.value == .float(0.2))
        #expect(node["copy"]?["stop"]?.sequence?.count == 2)
        #expect(node["again"]?.value == .string("hello"))
        // The alias node carries the place it is used, so errors point there.
        #expect(node["copy"]?.mark == Mark(line: 2, column: 7))
    }

    @Test func explicitTagIsKept() throws {
        let node = try load("a: !!str 12\nb: !custom x\n")
        #expect(node["a"]?.tag == "tag:yaml.org,2002:str")
        #expect(node["b"]?.tag == "!custom")
        #expect(node["b"]?.value == .string("x"))
    }

    @Test func emptyFileIsNoDocument() throws {
        #expect(try YAML.load(SourceFile(path: "e.yaml", text: "")) == nil)
        #expect(try YAML.load(SourceFile(path: "e.yaml", text: "# only a comment\n")) == nil)
    }

    @Test func byteOrderMarkIsAccepted() throws {
        let node = try load("\u{FEFF}a: 1\n")
        #expect(node["a"]?.value == .int(1))
    }

    @Test func nodeCountCountsKeysAndValues() throws {
        #expect(try load("a: [1, 2]\nb: x").nodeCount == 7)
    }
}
