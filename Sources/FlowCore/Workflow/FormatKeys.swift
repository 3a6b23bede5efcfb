/// What each key of the workflow format is, for `flow schema` and the language server's hover
/// and completion: its JSON Schema, description included. The key lists themselves are the
/// decoder's; a test checks every listed key is described here and nothing else is.
enum FormatKeys {
    typealias S = FormatSchema
    static let identifier = "^[A-Za-z_][A-Za-z0-9_-]*$"

    static let top: [String: JSON] = [
        "flow": .object([("const", .int(1)), ("description", .string("The format's version: 1."))]),
        "name": S.text("The workflow's name in records and reports (default: the file's name)."),
        "description": S.text("What the workflow does, for people and `flow models`/`flow serve` listings."),
        "model": S.described(S.ref("model"), "The model every step runs on unless it names its own."),
        "params": S.described(S.ref("params"), "Sampling parameters for every step; a step's params override them key by key."),
        "vars": .object([("type", .string("object")), ("description", .string("The inputs: name → default; null means required (--var name=value); {dataset: file, column: name} reads a list from a dataset."))]),
        "system": S.described(S.ref("template"), "The system prompt, rendered once with vars."),
        "steps": .object([("type", .string("array")), ("minItems", .int(1)), ("items", S.ref("step")),
                          ("description", .string("The steps, run in order; each step's on: branches decide what follows."))]),
        "output": S.described(S.ref("template"), "The run's output, rendered after the last step (default: the last answer)."),
        "escape": S.words(["none", "html"], "How {{name}} escapes values: none (default; prompts are not HTML) or html."),
        "partials": S.text("The directory of partial templates ({{> name}}), relative to the workflow file."),
        "limits": S.closed(["max_steps", "max_visits", "max_total_tokens", "max_cost_usd"], limits),
        "context": S.closed(["max_input_tokens"], ["max_input_tokens": S.integer(minimum: 1, "Each request's estimated budget; the oldest turns are dropped first.")]),
        "tools": .object([("type", .string("object")), ("additionalProperties", S.closed(["description", "parameters", "run", "timeout", "env"], tool)),
                          ("description", .string("Tools a step may offer: name → {description, parameters (JSON Schema), run (argv), timeout, env}."))]),
        "tests": .object([("type", .string("array")), ("items", S.ref("testCase")), ("description", .string("Regression cases `flow test` runs."))]),
        "mock": .object([("type", .string("array")), ("description", .string("Scripted replies that mock/… models answer, in order."))]),
        "history": .object([("type", .string("string")), ("pattern", .string(identifier)),
                            ("description", .string("A variable holding earlier turns, [{role: user|assistant, content: text}], sent after the system prompt and before the first step."))]),
        "prompt_cache_key": S.text("A key that keeps requests on one provider cache (OpenAI's prompt_cache_key)."),
        "mcp": .object([("type", .string("array")), ("items", S.closed(["name", "command", "url", "headers", "env", "allow", "timeout"], [
            "url": .object([("type", .string("string")), ("pattern", .string("^https?://")), ("description", .string("A Streamable HTTP server's endpoint, instead of a command."))]),
            "headers": .object([("type", .string("object")), ("additionalProperties", .object([("type", .string("string"))])), ("description", .string("Headers for a url server; {{env.NAME}} in a value reads the environment."))]),
            "name": .object([("type", .string("string")), ("pattern", .string("^[A-Za-z_][A-Za-z0-9_-]*$")), ("description", .string("The name steps use: tools: [name.*] or name.tool."))]),
            "command": .object([("type", .string("array")), ("items", .object([("type", .string("string"))])), ("minItems", .int(1)), ("description", .string("The server's program and arguments (stdio), run without a shell."))]),
            "env": .object([("type", .string("array")), ("items", .object([("type", .string("string"))])), ("description", .string("Environment variables passed through to the server."))]),
            "allow": .object([("type", .array([.string("array"), .string("null")])), ("items", .object([("type", .string("string"))])), ("description", .string("The only tools of the server ever offered."))]),
            "timeout": .object([("type", .string("number")), ("description", .string("Seconds start-up and each call may take (default 30)."))]),
        ], required: ["name"])), ("description", .string("MCP servers (stdio or Streamable HTTP) whose tools steps may offer."))]),
        "variants": .object([("type", .string("array")), ("items", S.ref("variant")), ("description", .string("Other models, params or prompts `flow test` runs the cases under."))]),
    ]

    static let limits: [String: JSON] = [
        "max_steps": S.integer(minimum: 1, "Step visits a run may make (default 100)."),
        "max_visits": S.integer(minimum: 1, "Visits of any one step (default 10): a loop's bound."),
        "max_total_tokens": S.integer(minimum: 1, "Tokens the run may use; a call that could pass it is refused before sending."),
        "max_cost_usd": .object([("type", .string("number")), ("minimum", .int(0)), ("description", .string("Dollars the run may spend; checked before each call."))]),
    ]

    static let tool: [String: JSON] = [
        "description": S.text("What the tool does, as the model reads it."),
        "parameters": .object([("type", .string("object")), ("description", .string("The arguments, as a JSON Schema object."))]),
        "run": .object([("description", .string("The program and its arguments (argv), run from the workflow's directory."))]),
        "timeout": .object([("type", .string("number")), ("description", .string("Seconds a call may take."))]),
        "env": .object([("description", .string("Environment variables passed through to the tool."))]),
    ]

    static let step: [String: JSON] = [
        "id": .object([("type", .string("string")), ("pattern", .string(identifier)), ("description", .string("The step's name in records, goto and after; unique."))]),
        "user": .object([("description", .string("The user turn: a template, a list of text, image: and document: parts, or {ask: prompt, exit: [words]}.")),
                         ("anyOf", .array([S.ref("template"), .object([("type", .string("array")), ("items", S.ref("userPart"))]),
                                           S.closed(["ask", "exit"], ["ask": S.text("The prompt shown when the turn is read from standard input."),
                                                                      "exit": .object([("type", .string("array")), ("description", .string("Words that end the chat."))])],
                                                    required: ["ask"])]))]),
        "prefill": S.described(S.ref("template"), "The start of the assistant's answer; the saved text includes it."),
        "params": S.described(S.ref("params"), "Overrides the top-level params key by key."),
        "model": S.described(S.ref("model"), "Overrides the top-level model."),
        "save": .object([("type", .string("string")), ("pattern", .string(identifier)), ("description", .string("The variable that receives the answer (a map's list, a call's output)."))]),
        "parse": S.words(["json"], "Parse the answer as JSON; save then holds the value."),
        "on": S.described(S.ref("branches"), "What follows each finish reason: stop, length, content_filter, tool_calls, error, invalid."),
        "fresh": S.flag("Start a new conversation (the system prompt is kept)."),
        "tools": .object([("type", .string("array")), ("items", .object([("type", .string("string"))])), ("description", .string("The declared tools this step offers."))]),
        "schema": .object([("description", .string("A JSON Schema (or {file: schemas/x.json}) the answer must fit; implies parse: json."))]),
        "format_assertion": S.flag("With schema: check `format` instead of taking it as an annotation."),
        "cache": S.flag("A prompt-cache breakpoint after this step's user turn."),
        "map": S.described(S.ref("map"), "Run the step once per item of a list, each item in a conversation of its own."),
        "call": .object([("type", .string("string")), ("pattern", .string("\\.ya?ml$")), ("description", .string("Run that workflow (relative to this file) as this step instead of asking a model."))]),
        "vars": .object([("type", .string("object")), ("additionalProperties", .object([("type", .array([.string("string"), .string("number"), .string("boolean")]))])),
                         ("description", .string("With call: the called workflow's inputs, each a template over this workflow's values."))]),
        "after": .object([("anyOf", .array([.object([("type", .string("string"))]), .object([("type", .string("array")), ("items", .object([("type", .string("string"))]))])])),
                          ("description", .string("The steps this one waits for; it runs side by side with its neighbours that have after too."))]),
    ]

    static let map: [String: JSON] = [
        "over": S.text("The list to map over, as \"{{tickets}}\" (a var, a dataset column, a parse: json step's array, a map's list)."),
        "as": .object([("type", .string("string")), ("pattern", .string(identifier)), ("description", .string("The item's name in the step's templates."))]),
        "concurrency": S.integer(minimum: 1, maximum: 256, "Items in flight at once (default 4)."),
        "on_item_error": .object([("enum", .array([.string("fail"), .string("skip"), .null])), ("description", .string("What a failed item leaves: fail (the run fails), skip, or null."))]),
        "split": S.closed(["by", "max_tokens"], ["by": S.words(["paragraphs", "lines"], "Where the text is cut first (default paragraphs)."),
                                                "max_tokens": S.integer(minimum: 16, "The most tokens a chunk may hold.")], required: ["max_tokens"]),
    ]

    static let params: [String: JSON] = [
        "temperature": S.number(minimum: 0, maximum: 2, "Sampling temperature."),
        "top_p": S.number(minimum: 0, maximum: 1, "Nucleus sampling."),
        "max_tokens": S.integer(minimum: 1, "The most tokens an answer may have; an answer cut there ends `length`."),
        "stop": .object([("anyOf", .array([.object([("type", .string("string"))]), .object([("type", .string("array")), ("items", .object([("type", .string("string"))]))])])),
                         ("description", .string("Stop sequences."))]),
        "seed": .object([("type", .string("integer")), ("description", .string("A seed, where the provider takes one."))]),
        "logprobs": S.flag("Ask for token log probabilities (confidence conditions need them)."),
        "top_logprobs": S.integer(minimum: 0, maximum: 20, "Alternatives per token with logprobs."),
        "top_k": S.integer(minimum: 1, "Top-k sampling (Anthropic, Gemini)."),
        "presence_penalty": S.number(minimum: -2, maximum: 2, "Presence penalty."),
        "frequency_penalty": S.number(minimum: -2, maximum: 2, "Frequency penalty."),
        "reasoning": S.closed(["effort", "budget_tokens"], ["effort": S.words(["low", "medium", "high"], "Reasoning effort."),
                                                         "budget_tokens": S.integer(minimum: 1, "Thinking tokens allowed.")]),
        "n": S.integer(minimum: 1, maximum: 8, "Answers to ask for; {{step-id.choices}} holds them."),
    ]

    static let template: [String: JSON] = [
        "file": S.text("A template file, relative to the workflow file."),
        "text": S.text("The template's text."),
        "strict": S.flag("false renders names that resolve to nothing as empty instead of refusing them."),
        "cache": S.flag("A prompt-cache breakpoint after this text."),
    ]

    static let media: [String: JSON] = [
        "file": S.text("A file inside the project."),
        "url": .object([("type", .string("string")), ("pattern", .string("^https://")), ("description", .string("An https:// address the provider fetches."))]),
        "detail": S.words(["low", "high", "auto"], "Image detail (OpenAI)."),
    ]

    static let testCase: [String: JSON] = [
        "name": S.text("The case's name in reports."),
        "vars": .object([("type", .string("object")), ("description", .string("The inputs of this case."))]),
        "mock": .object([("type", .string("array")), ("description", .string("Scripted replies that answer this case offline."))]),
        "expect": .object([("anyOf", .array([S.ref("expectation"), .object([("type", .string("array")), ("items", S.ref("expectation"))])])),
                           ("description", .string("What the run must give."))]),
        "repeat": S.integer(minimum: 1, maximum: 1000, "Runs of the case."),
        "pass_rate": S.number(minimum: 0, maximum: 1, "The share of runs that must pass."),
        "dataset": S.text("A dataset file (.jsonl, .csv, .yaml): one case per row."),
        "inputs": .object([("type", .string("array")), ("description", .string("Lines an asking step reads, in order."))]),
        "data": .object([("type", .string("array")), ("description", .string("Files the case's tools may read."))]),
    ]

    static let expectation: [String: JSON] = Dictionary(uniqueKeysWithValues: [
        ("equals", "The output equals this text."), ("contains", "The output contains this text."),
        ("not_contains", "The output does not contain this text."), ("matches", "The output matches this regular expression."),
        ("fuzzy_match", "The output and this text (or one of these texts) contain one another, compared lowercased without punctuation, articles or extra spaces."),
        ("json", "The output is JSON (equal to this value, when given)."), ("json_path", "A value at a JSON path."),
        ("json_schema", "The output fits this JSON Schema."), ("schema", "The output fits this JSON Schema (or {file: …})."),
        ("finish_reason", "How the answer ended."), ("path", "The steps the run went through."),
        ("confidence", "The least first-token probability."), ("cost_usd", "The most the run may cost."),
        ("tokens", "The most tokens the run may use."), ("not", "The expectation inside must fail."),
        ("step", "The step whose answer the expectation reads."), ("judge", "A model grades the answer against a rubric."),
        ("format_assertion", "With a schema: check `format`."), ("choices", "With n: how many of the answers must pass (all, any, or a number)."),
    ].map { ($0.0, JSON.object([("description", .string($0.1))])) })

    static let variant: [String: JSON] = [
        "name": S.text("The variant's name (flow test --variant, reports)."),
        "model": S.described(S.ref("model"), "The model every step runs on under this variant."),
        "params": S.described(S.ref("params"), "Params merged over the workflow's."),
        "system": S.described(S.ref("template"), "Another system prompt."),
        "steps": .object([("type", .string("object")), ("additionalProperties", S.closed(WorkflowDecoder.variantStepKeys, [
            "model": S.ref("model"), "params": S.ref("params"), "user": S.ref("template"), "prefill": S.ref("template"),
        ])), ("description", .string("Per step id: another model, params, user turn or prefill."))]),
    ]

    static let action: [String: JSON] = [
        "goto": S.text("The step to go to."),
        "next": .object([("description", .string("Go on to the next step."))]),
        "end": .object([("description", .string("End the run successfully."))]),
        "fail": .object([("description", .string("Fail the run, with this message when it is text."))]),
        "continue": S.integer(minimum: 1, maximum: 20, "Under length: ask for the rest, up to this many more calls."),
        "retry": S.integer(minimum: 1, maximum: 10, "Send the request again, up to this many times (with other params or model when given)."),
        "tools": .object([("description", .string("Run the tools the model called, then ask again ({max_rounds: N})."))]),
    ]

    static let provider: [String: JSON] = [
        "base_url": .object([("type", .string("string")), ("pattern", .string("^https?://")), ("description", .string("The server's OpenAI-compatible base URL, e.g. http://localhost:11434/v1."))]),
        "api_key_env": S.text("The environment variable holding its key."),
        "max_tokens_field": S.words(["max_tokens", "max_completion_tokens"], "The field the server reads max_tokens from."),
        "structured_output": S.words(CompatibleStructuredOutput.allCases.map(\.rawValue), "How a step's schema is asked for."),
    ]

    static let config: [String: String] = [
        "providers": "OpenAI-compatible servers by name: {base_url, api_key_env, max_tokens_field, structured_output}.",
        "key_files": "Files holding a provider's key, read when its variable is unset.",
        "rate_limits": "provider or provider/model → {rpm, tpm}, never exceeded.",
        "mcp": "MCP servers every workflow of the project may offer tools of; a workflow's own server of that name wins.",
    ]
}
