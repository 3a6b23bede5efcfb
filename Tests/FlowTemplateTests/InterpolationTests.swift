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

    @Test func unclosedTagIsAnError() {
        #expect(throws: TemplateError(mark: Mark(line: 1, column: 4), message: "unclosed tag: expected '}}'")) {
            try Template("ab {{name")
        }
    }

    @Test func sectionsAreRefusedNotPassedThrough() {
        #expect(throws: TemplateError(mark: Mark(line: 1, column: 1), message: "unsupported Mustache tag '{{#items}}'",
                                      hint: "this build renders {{name}} interpolation and {{! comments }}; sections and partials are not supported yet")) {
            try Template("{{#items}}x{{/items}}")
        }
    }
}
