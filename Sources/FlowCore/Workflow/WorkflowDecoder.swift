import FlowSource
import FlowTemplate
import FlowYAML

/// Turns a YAML node tree into a `Workflow`, collecting every problem with its place.
/// Pure: reads nothing but the tree and the source text it quotes in errors.
public struct WorkflowDecoder {
    /// Providers a `model:` may name without a project config.
    public static let knownProviders = ProviderRegistry.builtIn
    static let topLevelKeys = ["flow", "name", "description", "model", "params", "vars", "system", "steps", "output",
                               "escape", "partials", "limits", "context", "tools", "tests", "mock", "prompt_cache_key",
                               "variants", "mcp", "history"]
    static let stepKeys = ["id", "user", "prefill", "params", "model", "save", "parse", "on", "fresh", "tools", "schema", "format_assertion",
                           "cache", "map", "call", "vars", "after"]
    static let mapKeys = ["over", "as", "concurrency", "on_item_error", "split"]
    /// Anthropic takes at most 4 cache breakpoints in a request; the only provider where marks
    /// are sent, so the workflow is held to its limit.
    static let maxCacheMarks = 4
    static let paramKeys = ["temperature", "top_p", "max_tokens", "stop", "seed", "logprobs", "top_logprobs",
                            "top_k", "presence_penalty", "frequency_penalty", "reasoning", "n"]

    let source: SourceFile
    /// Providers a `model:` may name: the built-in ones and those in the project config.
    let providers: [ProviderName]
    var diagnostics: [Diagnostic] = []
    /// The project config's MCP servers, beside the workflow's own.
    var sharedServers: [MCPServer] = []

    /// A decoder for `source`, accepting `providers` in `model:`.
    public init(source: SourceFile, providers: [ProviderName] = WorkflowDecoder.knownProviders) {
        self.source = source
        self.providers = providers
    }

    /// Decodes `root` (nil for an empty file). Throws every problem found, in file order.
    public static func decode(_ root: Node?, source: SourceFile, providers: [ProviderName] = WorkflowDecoder.knownProviders,
                              servers: [MCPServer] = []) throws(DiagnosticList) -> Workflow {
        var decoder = WorkflowDecoder(source: source, providers: providers)
        decoder.sharedServers = servers
        let workflow = decoder.workflow(root)
        if !decoder.diagnostics.isEmpty || workflow == nil {
            throw DiagnosticList(decoder.diagnostics.sorted { ($0.mark ?? Mark(line: 0, column: 0)) < ($1.mark ?? Mark(line: 0, column: 0)) })
        }
        return workflow!
    }

    private mutating func workflow(_ root: Node?) -> Workflow? {
        guard let root else {
            report(nil, "the file is empty", hint: "a workflow needs at least 'flow: 1' and 'steps:'")
            return nil
        }
        guard let pairs = mapping(root, "the workflow") else { return nil }
        checkKeys(pairs, allowed: Self.topLevelKeys, in: "the workflow")

        var version = 1
        if let node = root["flow"] {
            if case .int(let value) = node.value, value == 1 { version = value } else {
                report(node.mark, "'flow' must be 1 (the format version this flow reads), got \(node.scalar?.text ?? node.kindDescription)")
            }
        } else {
            report(root.mark, "missing required key 'flow'", hint: "start the file with 'flow: 1', the format version")
        }
        let name = root["name"].flatMap { string($0, "name") } ?? Self.defaultName(for: source.path)
        let description = root["description"].flatMap { string($0, "description") }
        let model = root["model"].flatMap { modelRef($0) }
        let params = root["params"].map { samplingParams($0) } ?? SamplingParams()
        let vars = root["vars"].map { variables($0) } ?? []
        let system = root["system"].flatMap { template($0, "system") }
        let output = root["output"].flatMap { template($0, "output") }
        let mock = root["mock"].map { mockReplies($0) } ?? []

        var steps: [Step] = []
        if let node = root["steps"] {
            steps = decodeSteps(node, hasDefaultModel: root["model"] != nil, vars: vars)
        } else {
            report(root.mark, "missing required key 'steps'", hint: "add 'steps:' with a list of steps, each with an 'id' and a 'user' turn")
        }
        var workflow = Workflow(version: version, name: name, description: description, model: model, params: params,
                                vars: vars, system: system, steps: steps, output: output, mock: mock)
        if let node = root["escape"], let text = string(node, "escape") {
            if let escaping = Escaping(rawValue: text) { workflow.escaping = escaping } else {
                report(node.mark, "'escape' must be 'none' or 'html', got '\(text)'",
                       hint: "prompts are not HTML, so the default 'none' is usually right")
            }
        }
        workflow.partials = root["partials"].flatMap { string($0, "partials") }
        workflow.partialsMark = root["partials"]?.mark
        if let node = root["limits"] { workflow.limits = limits(node) }
        if let node = root["context"] { workflow.context = contextPolicy(node) }
        if let node = root["tools"] { workflow.tools = toolDeclarations(node) }
        if let node = root["mcp"] { workflow.mcp = mcpServers(node) }
        let own = Set(workflow.mcp.map(\.name))
        workflow.mcp += sharedServers.filter { !own.contains($0.name) }
        workflow.promptCacheKey = root["prompt_cache_key"].flatMap { string($0, "prompt_cache_key") }
        if let node = root["history"], let name = string(node, "history") {
            if vars.contains(where: { $0.name == name }) { workflow.history = name } else {
                report(node.mark, "'history: \(name)' names no variable", hint: "declare it under vars: (\(name): null makes it required) and pass a list of {role, content} messages")
            }
        }
        checkCacheMarks(root, steps: root["steps"]?.sequence ?? [])
        checkGraph(workflow, stepNodes: root["steps"]?.sequence ?? [])
        checkSideBySide(workflow)
        if let node = root["variants"] { workflow.variants = variants(node, steps: workflow.steps) }
        if let node = root["tests"] {
            (workflow.tests, workflow.datasets) = testCases(node, inputs: vars.map(\.name))
            checkTests(workflow.tests + workflow.datasets.map(\.0), steps: workflow.steps)
        }
        return workflow
    }

    // MARK: Steps

    private mutating func decodeSteps(_ node: Node, hasDefaultModel: Bool, vars: [Variable]) -> [Step] {
        guard let items = sequence(node, "steps") else { return [] }
        if items.isEmpty { report(node.mark, "'steps' is empty", hint: "add at least one step with an 'id' and a 'user' turn") }
        var steps: [Step] = []
        var ids: [String: Mark] = [:]
        let inputs: [String: Mark] = Dictionary(vars.map { ($0.name, $0.mark) }, uniquingKeysWith: { a, _ in a })
        for item in items {
            guard let step = step(item, hasDefaultModel: hasDefaultModel) else { continue }
            if let first = ids[step.id] {
                report(item["id"]?.mark ?? item.mark, "duplicate step id '\(step.id)' (first defined at \(first))")
            }
            ids[step.id] = step.mark
            // Several steps may save one name (alternative branches, loops); an input may not be overwritten.
            if let save = step.save, let saveNode = item["save"], let first = inputs[save] {
                report(saveNode.mark, "'save: \(save)' would overwrite '\(save)' defined at \(first)",
                       hint: "choose another name")
            }
            steps.append(step)
        }
        return steps
    }

    private mutating func step(_ node: Node, hasDefaultModel: Bool) -> Step? {
        guard let pairs = mapping(node, "a step") else { return nil }
        checkKeys(pairs, allowed: Self.stepKeys, in: "a step")
        guard let idNode = node["id"] else {
            report(node.mark, "a step needs an 'id'", hint: "add 'id: some_name' to name the step in records and references")
            return nil
        }
        guard let id = string(idNode, "id") else { return nil }
        if !Self.isIdentifier(id) {
            report(idNode.mark, "step id '\(id)' must start with a letter or '_' and hold only letters, digits, '_' and '-'")
        }
        if let callNode = node["call"] { return callStep(node, callNode: callNode, id: id) }
        if let varsNode = node["vars"] {
            report(varsNode.mark, "'vars' on step '\(id)' gives a called workflow its inputs, and the step calls none",
                   hint: "add 'call: other.yaml', or remove 'vars'")
        }
        let model = node["model"].flatMap { modelRef($0) }
        // A top-level model that failed to parse was reported already; don't repeat it per step.
        if !hasDefaultModel, node["model"] == nil {
            report(node.mark, "step '\(id)' has no model", hint: "set a top-level 'model: provider/name' or one on the step")
        }
        guard let userNode = node["user"] else {
            report(node.mark, "step '\(id)' needs a 'user' turn", hint: "add 'user: …' with the text or {file: templates/x.mustache}")
            return nil
        }
        var user: TemplateSource?
        var ask: AskTurn?
        var parts: [UserPart] = []
        if userNode["ask"] != nil {
            guard let turn = askTurn(userNode) else { return nil }
            ask = turn
        } else if let items = userNode.sequence {
            parts = userParts(items, at: userNode)
            guard !parts.isEmpty else { return nil }
        } else {
            guard let turn = template(userNode, "user") else { return nil }
            user = turn
        }
        var save: String?
        if let saveNode = node["save"], let name = string(saveNode, "save") {
            if Self.isIdentifier(name) { save = name } else {
                report(saveNode.mark, "'save' must be a variable name (letters, digits, '_'), got '\(name)'")
            }
        }
        var step = Step(id: id, mark: node.mark, user: user, ask: ask,
                        prefill: node["prefill"].flatMap { template($0, "prefill") },
                        params: node["params"].map { samplingParams($0) } ?? SamplingParams(),
                        model: model, save: save)
        if let onNode = node["on"] { step.branches = branches(onNode) }
        step.userParts = parts
        step.cache = flag(node["cache"], "cache")
        step.fresh = flag(node["fresh"], "fresh")
        if let toolsNode = node["tools"], let names = sequence(toolsNode, "tools") {
            step.tools = names.compactMap { string($0, "a tool name") }
        }
        if let parseNode = node["parse"], let mode = string(parseNode, "parse") {
            if mode == "json" { step.parsesJSON = true } else {
                report(parseNode.mark, "'parse' must be 'json', got '\(mode)'", hint: Suggestion.hint(for: mode, in: ["json"]))
            }
        }
        // `schema:` asks the provider for JSON of that shape and checks the answer against it.
        if let schemaNode = node["schema"] {
            step.schema = schema(schemaNode)
            step.parsesJSON = true
        }
        step.formatAssertion = formatAssertion(node)
        if let mapNode = node["map"] {
            step.map = map(mapNode, step: id)
            if ask != nil { report(mapNode.mark, "step '\(id)' both maps and asks: a mapped step's turn comes from its items", hint: "remove 'ask' or 'map'") }
        }
        if let afterNode = node["after"] {
            (step.after, step.afterMark) = (after(afterNode), afterNode.mark)
            if ask != nil { report(afterNode.mark, "step '\(id)' asks for input and runs side by side: two steps cannot read the terminal at once", hint: "remove 'after' or 'ask'") }
        }
        if let flag = node["format_assertion"], node["schema"] == nil {
            report(flag.mark, "'format_assertion' goes with 'schema:' on the step", hint: "add a schema, or remove format_assertion")
        }
        return step
    }

    /// `map:` on a step: `over` names a list, `as` the item's name.
    mutating func map(_ node: Node, step id: String) -> MapSpec? {
        guard let pairs = mapping(node, "map") else { return nil }
        checkKeys(pairs, allowed: Self.mapKeys, in: "map")
        guard let overNode = node["over"], let written = string(overNode, "over") else {
            report(node.mark, "'map' on step '\(id)' needs 'over:' naming a list", hint: "for example 'over: \"{{tickets}}\"'")
            return nil
        }
        var over = written.trimmingCharacters(in: .whitespaces)
        if over.hasPrefix("{{"), over.hasSuffix("}}") { over = String(over.dropFirst(2).dropLast(2)).trimmingCharacters(in: .whitespaces) }
        guard !over.isEmpty, over.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ Self.isIdentifier(String($0)) }) else {
            report(overNode.mark, "'over' must name one variable holding a list, as '{{tickets}}', got '\(written)'")
            return nil
        }
        guard let asNode = node["as"], let name = string(asNode, "as") else {
            report(node.mark, "'map' on step '\(id)' needs 'as:', the name each item has in the step's templates", hint: "for example 'as: ticket'")
            return nil
        }
        guard Self.isIdentifier(name) else {
            report(asNode.mark, "'as' must be a variable name (letters, digits, '_'), got '\(name)'")
            return nil
        }
        var spec = MapSpec(over: over, overMark: overNode.mark, name: name)
        if let value = node["concurrency"] {
            if case .int(let int) = value.value, (1...256).contains(int) { spec.concurrency = int } else {
                report(value.mark, "'concurrency' must be a whole number from 1 to 256, got \(describe(value))")
            }
        }
        // `null` is a YAML word too: `on_item_error: null` means the policy, not a missing value.
        if let value = node["on_item_error"], case .null = value.value {
            spec.onItemError = .null
        } else if let value = node["on_item_error"], let word = string(value, "on_item_error") {
            let words = MapSpec.ItemError.allCases.map(\.rawValue)
            if let policy = MapSpec.ItemError(rawValue: word) { spec.onItemError = policy } else {
                report(value.mark, "'on_item_error' must be \(words.joined(separator: ", ")), got '\(word)'",
                       hint: Suggestion.hint(for: word, in: words) ?? "fail stops the run; skip leaves the item out; null keeps its place as null")
            }
        }
        if let splitNode = node["split"] { spec.split = split(splitNode) }
        return spec
    }

    /// `split: {by: paragraphs, max_tokens: 1500}`.
    private mutating func split(_ node: Node) -> TextSplit? {
        guard let pairs = mapping(node, "split") else { return nil }
        checkKeys(pairs, allowed: ["by", "max_tokens"], in: "split")
        let units = TextSplit.Unit.allCases.map(\.rawValue)
        var unit = TextSplit.Unit.paragraphs
        if let byNode = node["by"], let word = string(byNode, "by") {
            if let known = TextSplit.Unit(rawValue: word) { unit = known } else {
                report(byNode.mark, "'by' must be \(units.joined(separator: " or ")), got '\(word)'", hint: Suggestion.hint(for: word, in: units))
            }
        }
        guard let maxNode = node["max_tokens"] else {
            report(node.mark, "'split' needs 'max_tokens', the most tokens a chunk may hold", hint: "for example 'split: {by: paragraphs, max_tokens: 1500}'")
            return nil
        }
        guard case .int(let max) = maxNode.value, max >= 16 else {
            report(maxNode.mark, "'max_tokens' in 'split' must be a whole number of at least 16, got \(describe(maxNode))")
            return nil
        }
        return TextSplit(unit: unit, maxTokens: max)
    }

    // MARK: Values

    mutating func samplingParams(_ node: Node) -> SamplingParams {
        guard let pairs = mapping(node, "params") else { return SamplingParams() }
        checkKeys(pairs, allowed: Self.paramKeys, in: "params")
        var params = SamplingParams()
        if let value = node["temperature"] { params.temperature = number(value, "temperature", in: 0...2) }
        if let value = node["top_p"] { params.topP = number(value, "top_p", in: 0...1) }
        if let value = node["max_tokens"] {
            if case .int(let int) = value.value, int > 0 { params.maxTokens = int } else {
                report(value.mark, "'max_tokens' must be a positive integer, got \(describe(value))")
            }
        }
        if let value = node["seed"] {
            if case .int(let int) = value.value { params.seed = int } else {
                report(value.mark, "'seed' must be an integer, got \(describe(value))")
            }
        }
        if let value = node["logprobs"] { params.logprobs = flag(value, "logprobs") }
        if let value = node["top_logprobs"] {
            if case .int(let int) = value.value, (0...20).contains(int) { params.topLogprobs = int } else {
                report(value.mark, "'top_logprobs' must be a whole number from 0 to 20, got \(describe(value))")
            }
        }
        if let value = node["top_k"] {
            if case .int(let int) = value.value, int > 0 { params.topK = int } else {
                report(value.mark, "'top_k' must be a positive integer, got \(describe(value))")
            }
        }
        if let value = node["presence_penalty"] { params.presencePenalty = number(value, "presence_penalty", in: -2...2) }
        if let value = node["frequency_penalty"] { params.frequencyPenalty = number(value, "frequency_penalty", in: -2...2) }
        if let value = node["reasoning"] { params.reasoning = reasoning(value) }
        if let value = node["n"] {
            if case .int(let int) = value.value, (1...8).contains(int) { params.n = int } else {
                report(value.mark, "'n' must be a whole number from 1 to 8, got \(describe(value))")
            }
        }
        if let value = node["stop"] {
            if let items = value.sequence {
                params.stop = items.compactMap { string($0, "stop") }
            } else if let text = string(value, "stop") {
                params.stop = [text]
            }
        }
        return params
    }

    /// `reasoning: {effort: low|medium|high, budget_tokens: N}`, at least one of the two.
    mutating func reasoning(_ node: Node) -> Reasoning? {
        guard let pairs = mapping(node, "reasoning") else { return nil }
        checkKeys(pairs, allowed: ["effort", "budget_tokens"], in: "reasoning")
        var reasoning = Reasoning()
        if let value = node["effort"], let text = string(value, "effort") {
            if let effort = Reasoning.Effort(rawValue: text) { reasoning.effort = effort } else {
                report(value.mark, "'effort' must be low, medium or high, got '\(text)'",
                       hint: Suggestion.hint(for: text, in: Reasoning.Effort.allCases.map(\.rawValue)))
            }
        }
        if let value = node["budget_tokens"] {
            if case .int(let int) = value.value, int > 0 { reasoning.budgetTokens = int } else {
                report(value.mark, "'budget_tokens' must be a positive integer, got \(describe(value))")
            }
        }
        guard reasoning.effort != nil || reasoning.budgetTokens != nil else {
            if node["effort"] == nil && node["budget_tokens"] == nil {
                report(node.mark, "'reasoning' needs 'effort' or 'budget_tokens'", hint: "for example reasoning: {effort: low} or reasoning: {budget_tokens: 2048}")
            }
            return nil
        }
        return reasoning
    }

    mutating func number(_ node: Node, _ key: String, in range: ClosedRange<Double>) -> Double? {
        let number: Double
        switch node.value {
        case .int(let int) where node.scalar != nil: number = Double(int)
        case .float(let double) where node.scalar != nil: number = double
        default:
            report(node.mark, "'\(key)' must be a number, got \(describe(node))")
            return nil
        }
        guard range.contains(number) else {
            report(node.mark, "'\(key)' must be between \(format(range.lowerBound)) and \(format(range.upperBound)), got \(node.scalar?.text ?? "")")
            return nil
        }
        return number
    }

    mutating func modelRef(_ node: Node) -> ModelRef? {
        guard let text = string(node, "model") else { return nil }
        guard let ref = ModelRef(parsing: text, mark: node.mark) else {
            report(node.mark, "'model' must be 'provider/model', got '\(text)'",
                   hint: ModelNames.withProvider(text).map { "did you mean '\($0)'?" } ?? "for example 'openai/gpt-4o-mini' or 'mock/echo'")
            return nil
        }
        guard providers.contains(ref.provider) else {
            let known = providers.map(\.rawValue).joined(separator: ", ")
            report(node.mark, "unknown provider '\(ref.provider)'",
                   hint: (Suggestion.hint(for: ref.provider.rawValue, in: providers.map(\.rawValue)).map { $0 + " " } ?? "")
                       + "known providers: \(known); name others in \(ProjectConfig.fileName)")
            return nil
        }
        return ref
    }

    private mutating func variables(_ node: Node) -> [Variable] {
        guard let pairs = mapping(node, "vars") else { return [] }
        return pairs.compactMap { pair in
            guard let name = string(pair.key, "a variable name") else { return nil }
            guard Self.isIdentifier(name) else {
                report(pair.key.mark, "variable name '\(name)' must start with a letter or '_' and hold only letters, digits, '_' and '-'")
                return nil
            }
            // `{dataset: file, column: name}` reads the default from a dataset when the workflow loads.
            if let fields = pair.value.mapping, let datasetNode = pair.value["dataset"] {
                checkKeys(fields, allowed: ["dataset", "column"], in: "a dataset variable")
                guard let path = string(datasetNode, "dataset") else { return nil }
                let column = pair.value["column"].flatMap { string($0, "column") }
                return Variable(name: name, defaultValue: nil, mark: pair.key.mark,
                                dataset: DatasetColumn(path: path, column: column, mark: datasetNode.mark))
            }
            let value = Self.templateValue(pair.value)
            return Variable(name: name, defaultValue: value == .null ? nil : value, mark: pair.key.mark)
        }
    }

    /// Text, `{file: path}` or `{text: …}`, either with `strict: false` to render missing names empty.
    mutating func template(_ node: Node, _ key: String) -> TemplateSource? {
        if node.scalar != nil {
            return string(node, key).map { .inline($0, node.mark) }
        }
        guard let pairs = node.mapping else {
            report(node.mark, "'\(key)' must be text or {file: path}, got \(node.kindDescription)")
            return nil
        }
        checkKeys(pairs, allowed: ["file", "text", "strict", "cache"], in: "'\(key)'")
        let strict = node["strict"] == nil || flag(node["strict"], "strict")
        let cache = flag(node["cache"], "cache")
        if cache, key == "output" || key == "prefill" {
            report(node["cache"]!.mark, "'cache' marks a prompt flow sends; '\(key)' is not sent as a cacheable turn",
                   hint: "put cache: true on 'system', a step's 'user', or a step")
        }
        switch (node["file"], node["text"]) {
        case (let fileNode?, nil):
            guard let path = string(fileNode, "file"), !path.isEmpty else { return nil }
            var source = TemplateSource.file(path, fileNode.mark, strict: strict)
            source.cache = cache
            return source
        case (nil, let textNode?):
            return string(textNode, "text").map {
                var source = TemplateSource.inline($0, textNode.mark, strict: strict)
                source.cache = cache
                return source
            }
        case (.some, .some):
            report(node.mark, "'\(key)' has both 'file' and 'text'", hint: "keep one of them")
            return nil
        case (nil, nil):
            report(node.mark, "'\(key)' must be text or {file: path}", hint: "for example {file: ../templates/\(key).mustache}")
            return nil
        }
    }

    /// `user:` as a list: text (plain, `{text: …}` or `{file: …}`), `{image: {file | url, detail}}`,
    /// `{document: {file | url}}`, in the order the model reads them.
    mutating func userParts(_ items: [Node], at node: Node) -> [UserPart] {
        var parts: [UserPart] = []
        for item in items {
            if let kindName = ["image", "document"].first(where: { item[$0] != nil }), let pairs = item.mapping {
                checkKeys(pairs, allowed: [kindName], in: "a user part")
                guard let spec = item[kindName], let specPairs = mapping(spec, kindName) else { continue }
                checkKeys(specPairs, allowed: kindName == "image" ? ["file", "url", "detail"] : ["file", "url"], in: "'\(kindName)'")
                var reference = MediaReference(kind: kindName == "image" ? .image : .document, mark: spec.mark)
                reference.file = spec["file"].flatMap { string($0, "file") }
                reference.url = spec["url"].flatMap { string($0, "url") }
                if let detailNode = spec["detail"], let detail = string(detailNode, "detail") {
                    if ["low", "high", "auto"].contains(detail) { reference.detail = detail } else {
                        report(detailNode.mark, "'detail' must be low, high or auto, got '\(detail)'", hint: Suggestion.hint(for: detail, in: ["low", "high", "auto"]))
                    }
                }
                switch (reference.file, reference.url) {
                case (.some, .some): report(spec.mark, "'\(kindName)' has both 'file' and 'url'", hint: "keep one of them")
                case (nil, nil): report(spec.mark, "'\(kindName)' needs 'file' (inside the project) or 'url' (https://)")
                case (nil, let url?) where !url.hasPrefix("https://"):
                    report(spec["url"]!.mark, "'url' must start with https://, got '\(url)'", hint: "or name a file in the project with 'file:'")
                default: parts.append(.media(reference))
                }
            } else if let pairs = item.mapping, pairs.count == 1, let key = pairs[0].key.scalar?.text,
                      !["file", "text"].contains(key) {
                // One error, naming the part kinds there are, rather than the keys of a text part
                // and then a second complaint about the same item.
                let unsupported = ["audio", "input_audio", "video", "file_data", "pdf", "image_url"]
                report(pairs[0].key.mark, unsupported.contains(key)
                       ? "a user part '\(key)' is not supported: flow sends text, image and document parts"
                       : "unknown user part '\(key)'",
                       hint: "parts are text (a string, {text: …} or {file: …}), {image: {file | url, detail}} and {document: {file | url}}"
                           + (Suggestion.hint(for: key, in: ["text", "file", "image", "document"]).map { "; " + $0 } ?? ""))
            } else if let text = template(item, "user") {
                parts.append(.text(text))
            }
        }
        if items.isEmpty { report(node.mark, "'user' is an empty list", hint: "give the text, or a list of text, image: and document: parts") }
        return parts
    }

    /// A `true`/`false` value; false (and reported) for anything else.
    mutating func flag(_ node: Node?, _ key: String) -> Bool {
        guard let node else { return false }
        if case .bool(let value) = node.value, node.scalar != nil { return value }
        report(node.mark, "'\(key)' must be true or false, got \(describe(node))")
        return false
    }

    /// At most `maxCacheMarks` `cache: true` in the workflow (system, user turns, steps).
    mutating func checkCacheMarks(_ root: Node, steps: [Node]) {
        var marks: [Node] = []
        if let node = root["system"]?["cache"], node.value == .bool(true) { marks.append(node) }
        for step in steps {
            let partMarks = (step["user"]?.sequence ?? []).map { $0["cache"] }
            for node in ([step["cache"], step["user"]?["cache"]] + partMarks).compactMap({ $0 }) where node.value == .bool(true) { marks.append(node) }
        }
        guard marks.count > Self.maxCacheMarks else { return }
        report(marks[Self.maxCacheMarks].mark, "more than \(Self.maxCacheMarks) 'cache: true' marks (\(marks.count)): Anthropic takes at most \(Self.maxCacheMarks) cache breakpoints in a request",
               hint: "keep the marks at the ends of the longest shared prefixes (the system prompt, a long document's turn)")
    }

    mutating func mockReplies(_ node: Node) -> [MockReply] {
        guard let items = sequence(node, "mock") else { return [] }
        return items.compactMap { item in
            if item.scalar != nil { return string(item, "a mock reply").map { MockReply(content: $0) } }
            guard let pairs = mapping(item, "a mock reply") else { return nil }
            checkKeys(pairs, allowed: ["content", "finish_reason", "usage", "confidence", "tool_calls", "error"], in: "a mock reply")
            var reply = MockReply(content: item["content"].flatMap { string($0, "content") } ?? "")
            if let reason = item["finish_reason"].flatMap({ string($0, "finish_reason") }) { reply.finishReason = FinishReason(named: reason) }
            if let node = item["confidence"] { reply.confidence = number(node, "confidence", in: 0...1) }
            if let node = item["error"] { reply.error = string(node, "error") }
            if let node = item["tool_calls"], let calls = sequence(node, "tool_calls") {
                reply.toolCalls = calls.enumerated().compactMap { index, call in
                    guard mapping(call, "a tool call") != nil, let name = call["name"].flatMap({ string($0, "name") }) else { return nil }
                    return ToolCall(id: "call_\(index + 1)", name: name, arguments: call["arguments"].map(Self.json) ?? .object([]))
                }
                if item["finish_reason"] == nil { reply.finishReason = .toolCalls(raw: "tool_calls") }
            }
            if let usage = item["usage"], let usagePairs = mapping(usage, "usage") {
                checkKeys(usagePairs, allowed: ["input_tokens", "output_tokens"], in: "usage")
                reply.usage = Usage(inputTokens: usage["input_tokens"].flatMap { count($0, "input_tokens") } ?? 0,
                                    outputTokens: usage["output_tokens"].flatMap { count($0, "output_tokens") } ?? 0)
            }
            return reply
        }
    }

    mutating func count(_ node: Node, _ key: String) -> Int? {
        if case .int(let int) = node.value, int >= 0 { return int }
        report(node.mark, "'\(key)' must be a whole number of tokens, got \(describe(node))")
        return nil
    }

    // MARK: Shapes

    mutating func mapping(_ node: Node, _ what: String) -> [Pair]? {
        if let pairs = node.mapping { return pairs }
        report(node.mark, "\(what) must be a mapping (key: value lines), got \(describe(node))")
        return nil
    }

    mutating func sequence(_ node: Node, _ what: String) -> [Node]? {
        if let items = node.sequence { return items }
        report(node.mark, "'\(what)' must be a list ('- ' items), got \(describe(node))")
        return nil
    }

    /// A string value. Numbers and booleans are refused rather than converted, since `name: 1.0`
    /// meaning "1.0" is a guess.
    mutating func string(_ node: Node, _ key: String) -> String? {
        if node.scalar != nil, case .string(let text) = node.value { return text }
        report(node.mark, "'\(key)' must be a string, got \(describe(node))",
               hint: node.scalar != nil ? "quote it: \"\(node.scalar!.text)\"" : nil)
        return nil
    }

    mutating func checkKeys(_ pairs: [Pair], allowed: [String], in what: String) {
        for pair in pairs {
            guard let key = pair.key.scalar?.text else {
                report(pair.key.mark, "keys in \(what) must be plain names")
                continue
            }
            if !allowed.contains(key) {
                report(pair.key.mark, "unknown key '\(key)' in \(what)",
                       hint: Suggestion.hint(for: key, in: allowed) ?? "known keys: \(allowed.joined(separator: ", "))")
            }
        }
    }

    func describe(_ node: Node) -> String {
        if let scalar = node.scalar { return "\(node.kindDescription) '\(scalar.text)'" }
        return node.kindDescription
    }

    private func format(_ number: Double) -> String {
        number == number.rounded() ? String(Int(number)) : String(number)
    }

    mutating func report(_ mark: Mark?, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(source, mark, message, hint: hint))
    }

    // MARK: Helpers

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.first, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
    }

    static func defaultName(for path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        if let dot = file.lastIndex(of: "."), dot != file.startIndex { return String(file[..<dot]) }
        return file
    }

    /// YAML values as template data: vars may hold strings, numbers, lists and maps.
    public static func templateValue(_ node: Node) -> TemplateValue {
        TemplateValue(json(node))
    }
}
