import FlowSource
import FlowTemplate

/// A decoded, validated workflow file (format v1). Pure data: file references are not read yet.
public struct Workflow: Sendable {
    /// The format version (`flow: 1`).
    public var version: Int
    /// Names transcripts; the file name without its extension when `name:` is not given.
    public var name: String
    /// For readers of the file.
    public var description: String?
    /// The default model for every step; nil when every step names its own.
    public var model: ModelRef?
    /// Sampling defaults for every step; a step's `params` override them key by key.
    public var params: SamplingParams
    /// The inputs, in the order declared.
    public var vars: [Variable]
    /// The system prompt, rendered once with the inputs.
    public var system: TemplateSource?
    /// The steps, run in order unless a branch says otherwise.
    public var steps: [Step]
    /// What `flow run` prints; the last step's text when nil.
    public var output: TemplateSource?
    /// Scripted replies for the `mock` provider, served in order.
    public var mock: [MockReply]
    /// Prompts are not HTML: `none` unless the workflow asks for `escape: html`.
    public var escaping: Escaping = .none
    /// The directory partials come from, relative to the workflow, when not the nearest `templates/`.
    public var partials: String?
    /// Where `partials:` is written, for errors about it.
    public var partialsMark: Mark?
    /// Bounds on steps, visits, tokens and cost.
    public var limits = Limits()
    /// Trims old turns to fit `max_input_tokens`, when set.
    public var context: ContextPolicy?
    /// Programs the model may call, by name.
    public var tools: [ToolDeclaration] = []
    /// MCP servers whose tools steps may offer (`mcp:`).
    public var mcp: [MCPServer] = []
    /// Regression cases for `flow test` (dataset rows included once loaded).
    public var tests: [TestCase] = []
    /// `prompt_cache_key:`: OpenAI's hint for routing requests that share a prefix to one cache.
    public var promptCacheKey: String?
    /// `history:`: the variable whose list of `{role, content}` messages comes before the first
    /// step's turn, after the system prompt (a chat app's earlier turns; imported chat-history loops).
    public var history: String?
    /// Dataset files named by `tests:`, read by the loader: the case they extend, the path, where it is named.
    public var datasets: [(TestCase, String, Mark)] = []
    /// `variants:`: alternatives `flow test` runs every case under (another model, params, prompt).
    public var variants: [Variant] = []

    /// The index of the step with `id`.
    public func index(of id: String) -> Int? { steps.firstIndex { $0.id == id } }

    /// The steps that run side by side with the one at `index`: it and its neighbours written
    /// with `after:`, up to the first step without. Empty for a step without `after`.
    public func sideBySide(at index: Int) -> Range<Int> {
        guard steps.indices.contains(index), steps[index].after != nil else { return index..<index }
        var start = index, end = index + 1
        while start > 0, steps[start - 1].after != nil { start -= 1 }
        while end < steps.count, steps[end].after != nil { end += 1 }
        return start..<end
    }

    /// The steps of `group` that `step` waits for, directly or through others it waits for.
    public func waitedFor(by step: Int, in group: Range<Int>) -> Set<Int> {
        var found: Set<Int> = []
        var pending = [step]
        while let next = pending.popLast() {
            for id in steps[next].after ?? [] {
                guard let index = self.index(of: id), group.contains(index), found.insert(index).inserted else { continue }
                pending.append(index)
            }
        }
        return found
    }
}

/// A tool declared in the workflow: what the model sees, and the program flow runs for it.
public struct ToolDeclaration: Sendable {
    /// The name the model calls it by.
    public var name: String
    /// What the tool does, in the words the model reads.
    public var description: String
    /// A JSON schema for the arguments, sent to the model as written.
    public var parameters: JSON
    /// The program and its arguments, run without a shell; the model's arguments arrive as JSON on stdin.
    public var run: [String]
    /// Seconds the whole call may take (arguments written, output read, the process reaped).
    public var timeout: Double
    /// Environment variables passed through to the tool (provider keys never are unless named here).
    public var environment: [String]
    /// Where the tool is declared, for errors about it.
    public var mark: Mark
    /// For a tool of an MCP server: the server's name (`mcp:`), and the tool's name there.
    public var server: String? = nil
    public var remoteName: String? = nil
}

/// An MCP server a workflow's steps take tools from (`mcp:`), started over stdio on first use.
public struct MCPServer: Sendable {
    /// The name steps use: `tools: [time.*]`, `time.get_current_time`.
    public var name: String
    /// The program and its arguments, run without a shell from the workflow's directory (stdio);
    /// empty for a server reached at `url`.
    public var command: [String]
    /// A Streamable HTTP server's endpoint (`https://…/mcp`), instead of a command.
    public var url: String? = nil
    /// Headers sent to it; `{{env.NAME}}` in a value is that environment variable, a secret.
    public var headers: [(name: String, value: String)] = []
    /// Environment variables passed through beside the tool environment (PATH, HOME, …).
    public var environment: [String]
    /// The only tools of the server ever offered; nil offers every tool it lists.
    public var allow: [String]?
    /// Seconds start-up, and each call, may take.
    public var timeout: Double
    /// Where the server is declared.
    public var mark: Mark
}

/// An input of the workflow. A nil default means the caller must set it (`--var name=value`).
public struct Variable: Sendable {
    /// The name templates read (`{{name}}`) and `--var name=…` sets.
    public var name: String
    /// The value when none is given; nil means the input is required.
    public var defaultValue: TemplateValue?
    /// Where the variable is declared.
    public var mark: Mark
    /// `{dataset: tickets.csv, column: text}`: the default is read from a dataset file when the
    /// workflow loads: the list of its rows (mappings), or of one column's values.
    public var dataset: DatasetColumn? = nil
}

/// A variable's default read from a dataset file's rows.
public struct DatasetColumn: Sendable {
    /// The file, relative to the workflow's.
    public var path: String
    /// The column whose values make the list; nil for whole rows.
    public var column: String?
    /// Where the reference is written.
    public var mark: Mark
}

/// A template given inline in the YAML or as `{file: path}` relative to the workflow file.
public struct TemplateSource: Sendable, Hashable {
    /// The template's text written in place, or a path to a file holding it.
    public enum Kind: Sendable, Hashable {
        case inline(String)
        case file(String)
    }

    /// Inline text or a file path.
    public var kind: Kind
    /// Where the template (or its `file:` path) is written in the workflow.
    public var mark: Mark
    /// Strict templates refuse names that resolve to nothing; `strict: false` renders them empty.
    public var strict: Bool
    /// `cache: true`: the prompt up to and including this text is a cache breakpoint.
    public var cache = false

    /// Text written in the YAML, placed at `mark`.
    public static func inline(_ text: String, _ mark: Mark, strict: Bool = true) -> TemplateSource {
        TemplateSource(kind: .inline(text), mark: mark, strict: strict)
    }

    /// A template file, `path` relative to the workflow file's directory.
    public static func file(_ path: String, _ mark: Mark, strict: Bool = true) -> TemplateSource {
        TemplateSource(kind: .file(path), mark: mark, strict: strict)
    }
}

/// An image or document a user turn names: a project file (read and checked when the workflow
/// is loaded) or an `https://` URL the provider fetches.
public struct MediaReference: Sendable, Hashable {
    /// Image or document.
    public var kind: Media.Kind
    /// A path relative to the workflow file, inside the project.
    public var file: String?
    /// A URL the provider fetches.
    public var url: String?
    /// OpenAI's image detail: `low`, `high` or `auto`.
    public var detail: String?
    /// Where it is written.
    public var mark: Mark
}

/// A part of a user turn written as a list: text (a template), an image or a document.
public enum UserPart: Sendable {
    case text(TemplateSource)
    case media(MediaReference)
}

/// One step of a workflow: a user turn, the answer to it, and what follows each way it can end.
public struct Step: Sendable {
    /// A name unique in the workflow; `goto`, `path` and expectations use it.
    public var id: String
    /// Where the step starts in the workflow.
    public var mark: Mark
    /// The user turn as a template; nil when the step asks (`user: {ask: …}`).
    public var user: TemplateSource?
    /// The user turn read from standard input.
    public var ask: AskTurn?
    /// The start of the assistant's answer; part of the saved text.
    public var prefill: TemplateSource?
    /// This step's parameters over the workflow's.
    public var params: SamplingParams
    /// The model for this step; the workflow's when nil.
    public var model: ModelRef?
    /// The variable that receives the assistant's text (prefill included).
    public var save: String?
    /// `parse: json`: the saved value is the parsed answer, so later templates read its fields.
    public var parsesJSON = false
    /// `schema:`: the answer must be JSON valid against this JSON Schema (2020-12); providers are
    /// asked for structured output of that shape, and an answer that does not fit is `invalid`.
    public var schema: JSON?
    /// `format_assertion: true`: the schema's `format`s are checked, not only annotations.
    public var formatAssertion = false
    /// What follows each way the answer can end; a reason not listed takes its default.
    public var branches: [BranchReason: [BranchCase]] = [:]
    /// Start a new conversation (the system prompt is kept).
    public var fresh = false
    /// `user:` written as a list of parts (text, `image:`, `document:`); empty for a plain turn.
    public var userParts: [UserPart] = []
    /// `cache: true`: the conversation up to and including this step's user turn is a cache
    /// breakpoint (as `cache: true` on the user template).
    public var cache = false
    /// Names of the declared tools offered to the model in this step.
    public var tools: [String] = []
    /// Run the step once per item of a list, each item in a fresh conversation (`map:`).
    public var map: MapSpec?
    /// `after: [a, b]`: the steps this one waits for. Set (even empty), the step runs side by
    /// side with the steps written next to it that also have `after` (docs/workflow-format.md).
    public var after: [String]?
    /// Where `after` is written.
    public var afterMark: Mark?
    /// `call: other.yaml`: the step runs another workflow instead of asking a model.
    public var call: CallSpec?
}

/// `call: reply.yaml` with `vars: {ticket: "{{ticket}}"}`: a step that runs another workflow,
/// its inputs rendered from this workflow's values, its output the step's answer. The callee
/// keeps its own system prompt, models, params and limits; its conversation is its own.
public struct CallSpec: Sendable {
    /// The callee, relative to the calling workflow's file.
    public var path: String
    /// Where `call:` is written, for errors about the callee.
    public var mark: Mark
    /// The callee's inputs, in the order written: each a template over the caller's values.
    /// A value written as one tag (`"{{tickets}}"`) passes the value itself, list or map.
    public var vars: [CallInput]

    /// A call of `path` with `vars`.
    public init(path: String, mark: Mark, vars: [CallInput] = []) {
        self.path = path
        self.mark = mark
        self.vars = vars
    }
}

/// One input a `call:` gives its callee.
public struct CallInput: Sendable {
    /// The callee's variable.
    public var name: String
    /// Where the name is written.
    public var mark: Mark
    /// Its value, rendered with the caller's variables.
    public var value: TemplateSource
}

/// `map: {over: "{{tickets}}", as: ticket, concurrency: 8, on_item_error: fail}`: the step runs
/// once per item of the list `over` names, each in a conversation of its own that starts from
/// the system prompt with the item as `as`; `save` holds the answers in the items' order.
public struct MapSpec: Sendable, Equatable {
    /// What a failed item leaves behind.
    public enum ItemError: String, Sendable, CaseIterable {
        /// The run fails, as an unmapped step would (the default: nothing is lost silently).
        case fail
        /// The item is left out of the list.
        case skip
        /// The item's place in the list holds null.
        case null
    }

    /// The variable holding the list (`tickets`, or `doc.chunks`), as written between braces.
    public var over: String
    /// Where `over` is written, for errors about it.
    public var overMark: Mark
    /// The name each item has inside the step's templates.
    public var name: String
    /// The most items in flight at once.
    public var concurrency: Int
    /// What a failed item leaves behind.
    public var onItemError: ItemError
    /// `split: {by: paragraphs, max_tokens: 1500}`: `over` is a text, mapped chunk by chunk.
    public var split: TextSplit?

    /// A map over `over`.
    public init(over: String, overMark: Mark, name: String, concurrency: Int = 4, onItemError: ItemError = .fail) {
        self.over = over
        self.overMark = overMark
        self.name = name
        self.concurrency = concurrency
        self.onItemError = onItemError
    }
}
