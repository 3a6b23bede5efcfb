import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// The HTML report in a real browser: Debian's headless Chromium (installed by `make deps`)
/// loads the page from file://, takes screenshots at two window sizes, and dumps the DOM after
/// the page's own filter button was clicked (`#click=failed` makes the page click it on load).
@Suite(.serialized) struct ReportBrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: FileManager.default.isExecutableFile)

    /// A project whose 1,000 cases half pass, reported with `--html`: the size users meet in a real suite.
    static func thousandCases() throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        try directory.write("flow.config.yaml", "")
        try directory.write("cases.jsonl", (0..<1000).map { #"{"name": "case \#($0)", "expected": "\#($0 % 2 == 0 ? "ok" : "no")", "n": "\#($0)"}"# }
            .joined(separator: "\n") + "\n")
        try directory.write("w.yaml", """
            flow: 1
            model: mock/m
            system: You answer support questions for the billing team, in one short sentence, politely.
            vars: {n: null}
            mock: ["ok, refund issued"]
            steps:
              - {id: answer, user: "Question number {{n}}: can I get a refund?"}
            tests:
              - {dataset: cases.jsonl, data: [expected], expect: [{contains: "{{expected}}"}]}
            """)
        let result = try FlowBinary.run(["test", "w.yaml", "--html", "r.html"], in: directory.path)
        #expect(result.status == 1, "half the cases fail: \(result.stderr)")
        return (directory, directory.path + "/r.html")
    }

    static func browse(_ page: String, fragment: String, dumpDOM: Bool = true, screenshot: String? = nil, size: String = "1400,900",
                       in directory: TemporaryDirectory) throws -> String {
        var arguments = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                         "--user-data-dir=" + directory.path + "/profile", "--window-size=" + size, "--virtual-time-budget=5000"]
        if let screenshot { arguments.append("--screenshot=" + screenshot) } else if dumpDOM { arguments.append("--dump-dom") }
        arguments.append("file://" + page + "#" + fragment)
        let result = try FlowBinary.run(arguments, in: directory.path, environment: ["HOME": directory.path], executable: chromium!)
        #expect(result.status == 0, "chromium: \(result.stderr.suffix(400))")
        return result.stdout
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func aThousandCasesRenderLazilyAndTheFiltersShowWhatTheySay() throws {
        guard Self.chromium != nil else {
            print("skipped: chromium is not installed here (make deps installs Debian's chromium), so the report is not opened in a browser")
            return
        }
        let (directory, page) = try Self.thousandCases()
        let size = (try FileManager.default.attributesOfItem(atPath: page)[.size] as? Int) ?? 0
        print("report of 1,000 cases with transcripts: \(size) bytes")
        #expect(size > 100_000 && size < 1_000_000, "the page stays small: \(size) bytes")

        let all = try Self.browse(page, fragment: "", in: directory)
        #expect(all.contains("showing 100 of 1000 cases"), "only the first page of rows is in the DOM")
        #expect(Self.count("data-row=", in: all) == 100)
        // Failures first.
        #expect(Self.count("class=\"cell fail\"", in: all) == 100)

        let failed = try Self.browse(page, fragment: "click=failed", in: directory)
        #expect(failed.contains("showing 100 of 500 cases") && Self.count("class=\"cell pass\"", in: failed) == 0)
        #expect(failed.contains("data-filter=\"failed\" class=\"on\""), "the clicked button shows it is on")
        let passed = try Self.browse(page, fragment: "click=passed", in: directory)
        #expect(passed.contains("showing 100 of 500 cases") && Self.count("class=\"cell fail\"", in: passed) == 0)
        let changed = try Self.browse(page, fragment: "click=changed", in: directory)
        #expect(changed.contains("showing 0 of 0 cases") && changed.contains("No case matches."), "no baseline, so nothing changed")
        let searched = try Self.browse(page, fragment: "search=case%20999", in: directory)
        #expect(searched.contains("showing 1 of 1 cases") && searched.contains(">case 999<"))
        // The search reaches the prompts the cases sent, not only their names.
        let prompt = try Self.browse(page, fragment: "search=question%20number%20998:", in: directory)
        #expect(prompt.contains("showing 1 of 1 cases") && prompt.contains(">case 998<"))
        // A cell opens onto its expectations and transcript.
        let opened = try Self.browse(page, fragment: "open=0", in: directory)
        #expect(opened.contains("<h2>case 1</h2>") && opened.contains("Question number 1: can I get a refund?"))
        #expect(opened.contains("<li class=\"no\">contains \"no\"</li>"), "the check as this row reads it")
        #expect(opened.contains("expected the output to contain \"no\", got \"ok, refund issued\""))
    }

    @Test func screenshotsAtTwoWindowSizesAndOfTheVariantMatrix() throws {
        guard Self.chromium != nil else {
            print("skipped: chromium is not installed here (make deps installs Debian's chromium), so no screenshot is taken")
            return
        }
        let (directory, page) = try Self.thousandCases()
        // Beside the build, where a person (or the session's notes) can open them.
        let folder = FlowBinary.repository + "/.build/screenshots"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for size in ["1400,900", "390,844"] {
            let path = folder + "/report-" + size.replacingOccurrences(of: ",", with: "x") + ".png"
            try? FileManager.default.removeItem(atPath: path)
            // Wide: a cell open beside the matrix; narrow: what a reader sees first.
            _ = try Self.browse(page, fragment: size == "1400,900" ? "open=0" : "", screenshot: path, size: size, in: directory)
            let png = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000, "\(path): \(png.count) bytes")
        }
        // The example's two models × two prompts, a judged cell open: the comparison view.
        let variants = try FlowBinary.run(["test", FlowBinary.repository + "/workflows/summarize.yaml", "--html", "variants.html"], in: directory.path)
        #expect(variants.status == 0, "\(variants.stderr)")
        let path = folder + "/report-variants-1400x900.png"
        try? FileManager.default.removeItem(atPath: path)
        _ = try Self.browse(directory.path + "/variants.html", fragment: "open=2", screenshot: path, in: directory)
        let png = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000, "\(path): \(png.count) bytes")
        // The third cell shown is haiku-v1's refund case: its judge's verdict sits beside the check.
        let opened = try Self.browse(directory.path + "/variants.html", fragment: "open=2", in: directory)
        #expect(opened.contains("<h2>refund window [haiku-v1]</h2>") && opened.contains("<div class=\"verdict\">score 4: It leaves out where to ask.</div>"),
                "\(opened.suffix(3000))")
    }

    @Test func theChangedFilterShowsTheCellsThatMovedAgainstTheBaseline() throws {
        guard Self.chromium != nil else {
            print("skipped: chromium is not installed here (make deps installs Debian's chromium), so the baseline view is not opened")
            return
        }
        let directory = try TemporaryDirectory()
        let summarize = FlowBinary.repository + "/workflows/summarize.yaml"
        let now = try FlowBinary.run(["test", summarize, "--json"], in: directory.path)
        // The baseline had haiku-v1's refund case failing: now it passes, so that one cell changed.
        var cases = try JSON.parse(now.stdout)["cases"]?.array ?? []
        let index = try #require(cases.firstIndex { $0["name"]?.string == "refund window" && $0["variant"]?.string == "haiku-v1" })
        guard case .object(let pairs) = cases[index] else { Issue.record("a case is not an object"); return }
        cases[index] = .object(pairs.map { key, value in key == "passed_runs" ? (key, .int(0)) : key == "passed" ? (key, .bool(false)) : (key, value) })
        try directory.write("old.json", JSON.object([("cases", .array(cases))]).serialized)
        let result = try FlowBinary.run(["test", summarize, "--baseline", "old.json", "--html", "r.html"], in: directory.path)
        #expect(result.status == 0 && result.stdout.contains("improved (1)"), "\(result.stdout)")
        let changed = try Self.browse(directory.path + "/r.html", fragment: "click=changed", in: directory)
        #expect(changed.contains("showing 1 of 2 cases") == false && changed.contains("showing 1 of 1 cases"), "\(changed.suffix(1500))")
        #expect(changed.contains("<span class=\"chg improved\">improved</span>") && changed.contains(">refund window<"))
    }

    @Test func aRegressedCellShowsItsAnswerAgainstTheBaselinesAnswer() throws {
        guard Self.chromium != nil else {
            print("skipped: chromium is not installed here (make deps installs Debian's chromium), so the answer diff is not opened")
            return
        }
        let directory = try TemporaryDirectory()
        try directory.write("flow.config.yaml", "")
        func workflow(_ reply: String) -> String {
            """
            flow: 1
            model: mock/m
            mock: ["\(reply)"]
            steps: [{id: answer, user: "Customer asks for a refund."}]
            tests: [{name: refund in a day, expect: [{contains: today}]}]
            """
        }
        try directory.write("w.yaml", workflow("We will refund you today."))
        try directory.write("old.json", try FlowBinary.run(["test", "w.yaml", "--json", "--traces"], in: directory.path).stdout)
        try directory.write("w.yaml", workflow("We will refund you next week."))
        let result = try FlowBinary.run(["test", "w.yaml", "--baseline", "old.json", "--html", "r.html"], in: directory.path)
        #expect(result.status == 1 && result.stdout.contains("regressed (1)"))
        let opened = try Self.browse(directory.path + "/r.html", fragment: "open=0", in: directory)
        #expect(opened.contains("<span class=\"chg regressed\">regressed</span>"))
        #expect(opened.contains("We will refund you <del>today.</del><ins>next</ins><ins> </ins><ins>week.</ins>"), "\(opened.suffix(2500))")
    }
}
