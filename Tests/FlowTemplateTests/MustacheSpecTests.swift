import Foundation
import Testing
import FlowCore
import FlowTestSupport
@testable import FlowTemplate

/// One case of the Mustache spec, read from ../shared/conformance/mustache (never copied here).
struct SpecCase: Sendable, CustomTestStringConvertible {
    var file: String
    var name: String
    var description: String
    var data: TemplateValue
    var template: String
    var partials: [String: String]
    var expected: String

    var testDescription: String { "\(file): \(name)" }
}

enum Spec {
    static let relative = "conformance/mustache"
    static let directory = SharedFiles.path(relative)
    /// A clone without ../shared skips the spec with this reason; CI has it.
    static let available = SharedFiles.exists(relative)

    /// The number of tests each file holds, from its SOURCES.md, so a missing or short file fails.
    static let expectedCounts = ["comments": 12, "delimiters": 14, "interpolation": 42, "inverted": 22,
                                 "partials": 12, "sections": 34, "~inheritance": 27, "~dynamic-names": 21]

    static func cases(_ file: String) -> [SpecCase] {
        guard let data = FileManager.default.contents(atPath: "\(directory)/\(file).json"),
              let json = try? JSON.parse([UInt8](data)), let tests = json["tests"]?.array else { return [] }
        return tests.map { test in
            var partials: [String: String] = [:]
            if case .object(let pairs)? = test["partials"] {
                for (name, value) in pairs { partials[name] = value.string ?? "" }
            }
            let data = TemplateValue(test["data"] ?? .null)
            return SpecCase(file: file, name: test["name"]?.string ?? "?", description: test["desc"]?.string ?? "",
                            data: data, template: test["template"]?.string ?? "", partials: partials,
                            expected: test["expected"]?.string ?? "")
        }
    }

    /// Renders in the spec's mode: HTML escaping, missing names render as nothing.
    static func check(_ spec: SpecCase) throws {
        var library: [String: Template] = [:]
        for (name, text) in spec.partials { library[name] = try Template(text) }
        let options = RenderOptions(escaping: .html, missing: .empty, partials: PartialLibrary(library))
        // The root may be a bare value (a string, a list), not only a hash.
        let rendered = try Template(spec.template).render(root: spec.data, options: options)
        #expect(rendered == spec.expected, "\(spec.description)")
    }
}

@Suite(.enabled(if: Spec.available, Comment(rawValue: SharedFiles.missing(Spec.relative))))
struct MustacheSpecTests {
    @Test func specFilesArePresentAndWhole() {
        for (file, count) in Spec.expectedCounts {
            #expect(Spec.cases(file).count == count, "\(Spec.directory)/\(file).json should hold \(count) tests")
        }
    }

    @Test(arguments: Spec.cases("comments")) func comments(_ spec: SpecCase) throws { try Spec.check(spec) }
    @Test(arguments: Spec.cases("delimiters")) func delimiters(_ spec: SpecCase) throws { try Spec.check(spec) }
    @Test(arguments: Spec.cases("interpolation")) func interpolation(_ spec: SpecCase) throws { try Spec.check(spec) }
    @Test(arguments: Spec.cases("inverted")) func inverted(_ spec: SpecCase) throws { try Spec.check(spec) }
    @Test(arguments: Spec.cases("partials")) func partials(_ spec: SpecCase) throws { try Spec.check(spec) }
    @Test(arguments: Spec.cases("sections")) func sections(_ spec: SpecCase) throws { try Spec.check(spec) }
    @Test(arguments: Spec.cases("~inheritance")) func inheritance(_ spec: SpecCase) throws { try Spec.check(spec) }
    @Test(arguments: Spec.cases("~dynamic-names")) func dynamicNames(_ spec: SpecCase) throws { try Spec.check(spec) }

    @Test(.disabled("~lambdas: its cases need code in the data (a !code tag per language); YAML workflows carry no code, so flow has no lambdas"))
    func lambdas() {}
}
