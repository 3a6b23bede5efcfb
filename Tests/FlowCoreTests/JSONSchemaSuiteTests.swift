import Foundation
import Testing
import FlowTestSupport
@testable import FlowCore

/// The official JSON-Schema-Test-Suite (draft 2020-12, read from `../shared`): every group's
/// schema goes through the checks `flow validate` makes (`SchemaCheck`) and then the validator,
/// and each test's verdict is compared with the suite's. A schema flow refuses counts as a
/// disagreement for each of its tests, except where the suite needs a remote document (flow
/// never fetches one, by design): those are counted apart as refusals.
@Suite struct JSONSchemaSuiteTests {
    static let folder = "conformance/json-schema/draft2020-12"

    /// The tests flow knowingly disagrees with, by "file: group: test", each with its reason in
    /// docs/workflow-format.md#json-schema. A new disagreement, or one of these mended, fails.
    static let knownRequired: Set<String> = []
    /// What `optional/` agreed on when last measured.
    static let optionalFloor = (plain: 107, format: 515, formatDisagreed: 31)

    struct Tally {
        var agreed = 0
        var disagreed: [String] = []
        var refusedRemote = 0
        /// Tests of a format flow does not check, refused at load beside format_assertion.
        var refusedFormat = 0
        var total: Int { agreed + disagreed.count + refusedRemote + refusedFormat }
    }

    static func run(_ files: [String], formatAssertion: Bool) throws -> Tally {
        var tally = Tally()
        for file in files {
            let groups = try JSON.parse(String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self))
            let name = String(file.dropFirst(SharedFiles.path(folder).count + 1))
            for group in groups.array ?? [] {
                let schema = group["schema"] ?? .bool(true)
                let tests = group["tests"]?.array ?? []
                let label = name + ": " + (group["description"]?.string ?? "?")
                let problems = SchemaCheck.problems(schema)
                if !problems.isEmpty {
                    if problems.allSatisfy({ $0.message.contains("on the network") }) {
                        tally.refusedRemote += tests.count
                    } else {
                        tally.disagreed += tests.map { label + ": " + ($0["description"]?.string ?? "?") + " (refused: \(problems[0].message))" }
                    }
                    continue
                }
                if formatAssertion, !SchemaFormats.unchecked(in: schema).isEmpty {
                    tally.refusedFormat += tests.count
                    continue
                }
                let validator = JSONSchemaValidator(schema: schema, formatAssertion: formatAssertion)
                for test in tests {
                    let expected = test["valid"] == .bool(true)
                    if validator.isValid(test["data"] ?? .null) == expected {
                        tally.agreed += 1
                    } else {
                        tally.disagreed.append(label + ": " + (test["description"]?.string ?? "?"))
                    }
                }
            }
        }
        return tally
    }

    static func files(under relative: String, recursive: Bool) -> [String] {
        let root = SharedFiles.path(relative)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        var found: [String] = []
        for name in names.sorted() {
            let path = root + "/" + name
            var directory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &directory)
            if directory.boolValue {
                if recursive { found += files(under: relative + "/" + name, recursive: true) }
            } else if name.hasSuffix(".json") {
                found.append(path)
            }
        }
        return found
    }

    @Test(.enabled(if: SharedFiles.exists(folder), Comment(rawValue: SharedFiles.missing(folder))))
    func requiredTestsAgree() throws {
        let tally = try Self.run(Self.files(under: Self.folder, recursive: false), formatAssertion: false)
        let share = Double(tally.agreed) / Double(tally.total - tally.refusedRemote)
        print("JSON Schema suite, required: \(tally.agreed) of \(tally.total) agree, \(tally.refusedRemote) refused (remote), "
              + "\(tally.disagreed.count) disagree: \(String(format: "%.2f", share * 100))%")
        for line in tally.disagreed { print("  disagrees: " + line) }
        #expect(share >= 0.995)
        #expect(Set(tally.disagreed) == Self.knownRequired)
    }

    @Test(.enabled(if: SharedFiles.exists(folder), Comment(rawValue: SharedFiles.missing(folder))))
    func optionalTestsAreMeasured() throws {
        let plain = try Self.run(Self.files(under: Self.folder + "/optional", recursive: false), formatAssertion: false)
        let format = try Self.run(Self.files(under: Self.folder + "/optional/format", recursive: false), formatAssertion: true)
        print("JSON Schema suite, optional: \(plain.agreed) of \(plain.total) agree (\(plain.refusedRemote) refused, remote); "
              + "optional/format with format assertion: \(format.agreed) of \(format.total) agree, \(format.refusedFormat) refused "
              + "(formats flow does not check), \(format.disagreed.count) disagree")
        for line in plain.disagreed + format.disagreed { print("  optional disagrees: " + line) }
        // Floors at the figures measured when they were written (docs/workflow-format.md):
        // optional behaviour may get better, not silently worse.
        #expect(plain.agreed >= Self.optionalFloor.plain)
        #expect(format.agreed >= Self.optionalFloor.format && format.disagreed.count <= Self.optionalFloor.formatDisagreed)
    }
}
