import FlowSource
import Testing
@testable import FlowTemplate

@Suite struct InterpolationTests {
    @Test func interpolatesNamesDottedNamesAndValues() throws {
        let template = try Template("Hi {{name}}, {{ user.age }} {{&raw}} {{{triple}}}{{! note }} {{n}} {{f}} {{ok}}")
        let text = try template.render([
            "name": .string("Ada"), "user": .map(["age": .int(36)]), "raw": .string("<b>"),
            "triple": .string("&"), "n": .double(3), "f": .double(0.5), "ok": .bool(true),
        ])
        #expect(text == "Hi Ada, 36 <b> & 3 0.5 true")
    }

    @Test func promptsAreNotHTMLEscaped() throws {
        #expect(try Template("{{x}}").render(["x": .string("<a href=\"q\">&</a>")]) == "<a href=\"q\">&</a>")
    }

    @Test func variablesListsEachNameOnce() throws {
        #expect(try Template("{{a}} {{b.c}} {{a}}").variables == ["a", "b.c"])
    }

    @Test func missingVariableNamesTheDefinedOnes() throws {
        let template = try Template("line one\nHello {{nmae}}!")
        #expect(throws: TemplateError(mark: Mark(line: 2, column: 7), message: "variable 'nmae' is not defined",
                                      hint: "did you mean 'name'? defined: name, topic")) {
            try template.render(["name": .string("x"), "topic": .string("y")])
        }
    }

    @Test func missingNestedPartPointsAtIt() throws {
        let template = try Template("{{step.lable}}")
        #expect(throws: TemplateError(mark: Mark(line: 1, column: 1), message: "variable 'step.lable' is not defined",
                                      hint: "did you mean 'step.label'? defined in 'step': label")) {
            try template.render(["step": .map(["label": .string("x")])])
        }
    }

    @Test func nonStrictRendersMissingAsEmpty() throws {
        #expect(try Template("[{{gone}}]").render([:], strict: false) == "[]")
    }

    @Test func sectionsListsAndInvertedSections() throws {
        let template = try Template("""
            Tickets:
            {{#tickets}}
            - {{id}}: {{title}}{{#urgent}} (urgent){{/urgent}}
            {{/tickets}}
            {{^tickets}}
            No tickets.
            {{/tickets}}
            """)
        let two: TemplateValue = .list([.map(["id": .int(1), "title": .string("Login"), "urgent": .bool(true)]),
                                        .map(["id": .int(2), "title": .string("Typo"), "urgent": .bool(false)])])
        #expect(try template.render(["tickets": two]) == "Tickets:\n- 1: Login (urgent)\n- 2: Typo\n")
        #expect(try template.render(["tickets": .list([])]) == "Tickets:\nNo tickets.\n")
    }

    @Test func emptyStringIsFalseyForOptionalText() throws {
        let template = try Template("{{#notes}}Notes: {{notes}}{{/notes}}")
        #expect(try template.render(["notes": .string("")]) == "")
        #expect(try template.render(["notes": .string("call back")]) == "Notes: call back")
    }

    @Test func strictModeRefusesMissingSectionsToo() throws {
        #expect(throws: TemplateError(mark: Mark(line: 1, column: 3), message: "section 'itmes' is not defined",
                                      hint: "did you mean 'items'? defined: items")) {
            try Template("a {{#itmes}}x{{/itmes}}").render(["items": .list([])])
        }
    }

    @Test func strictNamesInsideASectionSeeTheItem() throws {
        let template = try Template("{{#items}}{{name}} {{nmae}}{{/items}}")
        #expect(throws: TemplateError(mark: Mark(line: 1, column: 20), message: "variable 'nmae' is not defined",
                                      hint: "did you mean 'name'? defined: items, name")) {
            try template.render(["items": .list([.map(["name": .string("a")])])])
        }
    }

    @Test func htmlModeEscapesOnlyDoubleMustache() throws {
        let options = RenderOptions(escaping: .html)
        #expect(try Template("{{x}} {{{x}}} {{&x}}").render(["x": .string("<a & \"b\">")], options: options)
                == "&lt;a &amp; &quot;b&quot;&gt; <a & \"b\"> <a & \"b\">")
    }

    @Test func partialsComeFromTheLibraryAndMissingOnesAreErrors() throws {
        let library = PartialLibrary(["sig": try Template("-- {{team}}\n")])
        let template = try Template("Hi\n  {{> sig}}\n{{> footer}}")
        #expect(throws: TemplateError(mark: Mark(line: 3, column: 1), message: "partial 'footer' not found",
                                      hint: "available: sig")) {
            try template.render(["team": .string("Support")], options: RenderOptions(partials: library))
        }
        #expect(try template.render(["team": .string("Support")], options: RenderOptions(missing: .empty, partials: library))
                == "Hi\n  -- Support\n")
    }

    @Test func selfIncludingPartialStopsAtTheDepthLimit() throws {
        let library = PartialLibrary(["loop": try Template("x{{> loop}}")])
        #expect(throws: TemplateError(mark: Mark(line: 1, column: 2), message: "partials nest deeper than 8 levels at 'loop'",
                                      hint: "a partial probably includes itself without a section that ends the recursion",
                                      partial: "loop")) {
            try Template("{{> loop}}").render([:], options: RenderOptions(partials: library, maxDepth: 8))
        }
    }

    @Test func placeholderModeForPreviews() throws {
        #expect(try Template("A {{x.y}} {{#s}}no{{/s}}").render([:], options: RenderOptions(missing: .placeholder)) == "A [x.y] ")
    }

    @Test func variablesAreTheNamesReadOutsideSections() throws {
        let template = try Template("{{a}} {{#list}}{{field}}{{/list}} {{>*which}} {{$b}}{{inblock}}{{/b}} {{.}}")
        #expect(template.variables == ["a", "list", "which", "inblock"])
        #expect(try Template("{{> x}}{{#s}}{{> y}}{{/s}}{{<p}}{{/p}}").partialNames == ["x", "y", "p"])
        #expect(try Template("{{#s}}{{>*d}}{{/s}}").usesDynamicPartials)
    }

    /// A parsed JSON answer put whole in a prompt: it must never render as nothing.
    @Test func objectsAndListsRenderAsTheirJSONText() throws {
        let order: TemplateValue = .map(["id": .int(7), "items": .list([.string("tea"), .map(["qty": .double(2.5)])]),
                                         "note": .string("say \"hi\"\n"), "gift": .bool(false), "coupon": .null])
        let text = try Template("Order: {{order}}; items {{order.items}}; raw {{{order}}}").render(["order": order], strict: true)
        let json = #"{"coupon":null,"gift":false,"id":7,"items":["tea",{"qty":2.5}],"note":"say \"hi\"\n"}"#
        #expect(text == "Order: \(json); items [\"tea\",{\"qty\":2.5}]; raw \(json)")
        #expect(TemplateValue.map([:]).interpolated == "{}")
        #expect(TemplateValue.string("\u{1}").jsonText == #""\u0001""#)
    }

    @Test(arguments: [
        ("ab {{name", TemplateError(mark: Mark(line: 1, column: 4), message: "unclosed tag: expected '}}'", hint: "close the tag that starts here")),
        ("x\n{{#items}}\n- {{.}}\n", TemplateError(mark: Mark(line: 2, column: 1), message: "'{{#items}}' is never closed", hint: "add {{/items}} where it ends")),
        ("{{#a}}{{#b}}{{/a}}{{/b}}", TemplateError(mark: Mark(line: 1, column: 13), message: "close tag '{{/a}}' does not match '{{#b}}' opened at 1:7", hint: "close sections in the reverse order they open: {{/b}} comes first")),
        ("text {{/a}}", TemplateError(mark: Mark(line: 1, column: 6), message: "close tag '{{/a}}' has no open section", hint: "remove it, or open the section with {{#a}}")),
        ("{{=<% =}}", TemplateError(mark: Mark(line: 1, column: 1), message: "bad delimiter change '{{=<% =}}'", hint: "write two delimiters separated by a space, without '=', e.g. {{=<% %>=}}")),
        ("{{ first name }}", TemplateError(mark: Mark(line: 1, column: 1), message: "tag name 'first name' contains a space", hint: "names are one word, with dots for fields: {{ticket.title}}")),
        ("{{}}", TemplateError(mark: Mark(line: 1, column: 1), message: "empty tag '{{}}'", hint: "a tag needs a name, e.g. {{name}}")),
        ("{{^x}}{{/y}}", TemplateError(mark: Mark(line: 1, column: 7), message: "close tag '{{/y}}' does not match '{{^x}}' opened at 1:1", hint: "close sections in the reverse order they open: {{/x}} comes first")),
    ])
    func parseErrors(text: String, expected: TemplateError) {
        #expect(throws: expected) { try Template(text) }
    }
}
