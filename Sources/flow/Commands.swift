import CFlowPlatform
import FlowCore
import FlowSource

/// The command table: names, help and options. `flow help` and did-you-mean read it.
enum Commands {
    static let run = CommandSpec(
        name: "run",
        abstract: "Run a workflow and print its output.",
        discussion: """
        Steps run against their providers; each step's on: branches decide what follows
        each finish reason, and without one anything but 'stop' fails the run (exit 1).
        Every run appends a transcript (JSON Lines) under --transcript-dir.
        """,
        arguments: [.init(name: "file", help: "The workflow file (YAML).")],
        options: [
            .init(name: "--var", value: "<key=value>", repeatable: true, help: "Set a workflow variable (repeatable); key=@file reads a file, key=@- standard input."),
            .init(name: "--model", value: "<provider/model>", help: "Run every step on this model instead."),
            .init(name: "--variant", value: "<name>", help: "Run the workflow as this one of its variants: (another model, params or prompt)."),
            .init(name: "--json", value: nil, help: "Print one JSON object with the status, output, steps and totals."),
            .init(name: "--stream", value: nil, help: "Stream answers and print text as it arrives."),
            .init(name: "--verbose", value: nil, help: "Print every HTTP request and answer on standard error, keys removed."),
            .init(name: "-j", value: "<n>", help: "Requests in flight at once at most, to each provider (mapped items, steps side by side; default: each map's concurrency)."),
            .init(name: "--timeout", value: "<seconds>", help: "Total time one request may take (default: 600)."),
            .init(name: "--retries", value: "<n>", help: "Retries of a request that failed on a server error or the network (default: 3); rate limits are waited out, not counted."),
            .init(name: "--max-wait", value: "<seconds>", help: "How long one request may wait out rate limits (429) before it fails (default: 600)."),
            .init(name: "--record", value: nil, help: "Save every answer in the cassette beside the workflow."),
            .init(name: "--replay", value: nil, help: "Answer from the cassette: no network, no key, no cost (or FLOW_CASSETTE)."),
            .init(name: "--cassette", value: "<file>", help: "The cassette file (default: <workflow>.cassette.json)."),
            .init(name: "--batch", value: nil, help: "With --dataset: run every row through the providers' Batch APIs (half price, resumable) into the cassette."),
            .init(name: "--dataset", value: "<file>", help: "With --batch: the rows (.jsonl, .csv or .yaml) to run, each a set of variables."),
            .init(name: "--live-tools", value: nil, help: "With --replay: run tools for real (not their recorded results) and warn where a result differs."),
            .init(name: "--prices", value: "<file>", help: "Prices in LiteLLM's JSON format, extending the built-in table (or FLOW_PRICES)."),
            .init(name: "--transcript-dir", value: "<dir>", help: "Where transcripts go (default: .flow/runs at the project root)."),
            .init(name: "--otlp", value: "<url>", help: "Export OpenTelemetry spans (OTLP/HTTP JSON) to this collector (…/v1/traces is added); or OTEL_EXPORTER_OTLP_ENDPOINT."),
            .init(name: "--otlp-content", value: nil, help: "Put prompts and answers on the spans too (redacted, as in every record)."),
        ],
        main: .async { await RunCommand.main($0) })

    static let validate = CommandSpec(
        name: "validate",
        abstract: "Check workflow files without running them.",
        discussion: "Parses each file, checks every key, type, template and variable reference, and sends nothing. A directory stands for the workflow files below it (YAML with a top-level 'flow:' key).",
        arguments: [.init(name: "paths", help: "Workflow files or directories to check.", repeatable: true)],
        options: [
            .init(name: "--json", value: nil, help: "Print the result for each file as JSON."),
        ],
        main: .sync { ValidateCommand.main($0) })

    static let render = CommandSpec(
        name: "render",
        abstract: "Print the rendered messages of each step, or the exact wire body; send nothing.",
        discussion: """
        This is how a reviewer reads a prompt change. Answers of earlier steps come from the
        workflow's mock replies when the step runs on a mock model, and are stand-ins
        ([answer of step 'id']) otherwise. With --provider, prints the HTTP body that provider
        would receive (no key).
        """,
        arguments: [.init(name: "file", help: "The workflow file (YAML).")],
        options: [
            .init(name: "--var", value: "<key=value>", repeatable: true, help: "Set a workflow variable (repeatable); key=@file reads a file, key=@- standard input."),
            .init(name: "--variant", value: "<name>", help: "Render the workflow as this one of its variants: runs it."),
            .init(name: "--step", value: "<id>", help: "Show only this step, with its whole conversation."),
            .init(name: "--provider", value: "<" + RenderCommand.providers.joined(separator: "|") + ">", help: "Print the wire body for this provider."),
            .init(name: "--model", value: "<provider/model>", help: "Render every step on this model instead; alone, prints its provider's wire body."),
            .init(name: "--json", value: nil, help: "Print the steps as JSON."),
        ],
        main: .sync { RenderCommand.main($0) })

    static let test = CommandSpec(
        name: "test",
        abstract: "Run the workflows' test cases: the regression checks for CI.",
        discussion: """
        Cases come from each workflow's tests: (and the datasets they name). By default they
        replay from the workflow's cassette (no keys, no cost), tool results included; a case
        with mock: replies runs on them. --live sends requests; --live --record refreshes the
        cassette. A directory stands for the workflow files below it (YAML with a top-level
        'flow:' key). Exit: 0 all passed, 1 a case failed or there were no cases, 65 an invalid
        file, 69 a provider error no retry fixed.
        """,
        arguments: [.init(name: "paths", help: "Workflow files or directories (default: workflows).", repeatable: true, optional: true)],
        options: [
            .init(name: "--live", value: nil, help: "Send requests instead of replaying."),
            .init(name: "--batch", value: nil, help: "Answer what the cassette lacks through the providers' Batch APIs (half price, hours not seconds), round by round; resumable."),
            .init(name: "--record", value: nil, help: "With --live: save the answers in the cassettes."),
            .init(name: "--prune", value: nil, help: "With --live --record: drop the recordings no case used (not with --filter or --shard)."),
            .init(name: "--live-tools", value: nil, help: "Run tools for real when replaying; a result that differs from the recording fails the case."),
            .init(name: "-j", value: "<n>", help: "Cases run at once at most (default: 4); fewer while a provider rate-limits."),
            .init(name: "--retries", value: "<n>", help: "Retries of a request that failed on a server error or the network (default: 3); rate limits are waited out, not counted."),
            .init(name: "--max-wait", value: "<seconds>", help: "How long one request may wait out rate limits (429) before its case fails (default: 600)."),
            .init(name: "--filter", value: "<text>", help: "Only cases whose name contains this."),
            .init(name: "--shard", value: "<k/n>", help: "Only the k-th of n equal parts of the cases, for parallel CI machines."),
            .init(name: "--allow-empty", value: nil, help: "Exit 0 when there are no cases (by default that is a failure)."),
            .init(name: "--merge", value: nil, help: "The paths are --json reports (of shards): report them as one run, running nothing."),
            .init(name: "--verbose", value: nil, help: "Say which YAML files in the directories are not workflows and were skipped."),
            .init(name: "--json", value: nil, help: "Print the results as JSON."),
            .init(name: "--junit", value: "<path>", help: "Write JUnit XML here."),
            .init(name: "--markdown", value: "<path>", help: "Write a short Markdown summary here (for $GITHUB_STEP_SUMMARY or a pull-request comment); FLOW_REPORT_URL names the full results."),
            .init(name: "--baseline", value: "<file>", help: "Compare with an earlier 'flow test --json' report, or git:REF (the workflows at that commit, replayed): what regressed, improved, moved within noise, and cost and token deltas."),
            .init(name: "--fail-on", value: "<regression>", help: "With --baseline: exit 1 only when a case regressed, not for failures the baseline had too."),
            .init(name: "--variant", value: "<name>", repeatable: true, help: "Only this variant of the workflows' variants: (repeatable; default: every variant, case by case)."),
            .init(name: "--html", value: "<path>", help: "Write the report as one self-contained HTML page here: the case × variant matrix, filters, search, each cell's transcript."),
            .init(name: "--traces", value: nil, help: "With --json: each case carries its last run's transcript, for 'flow report'."),
            .init(name: "--prices", value: "<file>", help: "Prices in LiteLLM's JSON format (or FLOW_PRICES)."),
            .init(name: "--otlp", value: "<url>", help: "Export OpenTelemetry spans (OTLP/HTTP JSON) to this collector (…/v1/traces is added); or OTEL_EXPORTER_OTLP_ENDPOINT."),
            .init(name: "--otlp-content", value: nil, help: "Put prompts and answers on the spans too (redacted, as in every record)."),
        ],
        main: .concurrent { await TestCommand.main($0) })

    static let show = CommandSpec(
        name: "show",
        abstract: "Show a run's transcript as a person reads it.",
        discussion: "Steps, turns, branches taken, tokens, cost, retries, tools and errors. Colour on a terminal; none when piped or NO_COLOR is set. Without a path, the project's last run (.flow/runs at the directory holding flow.config.yaml or .git).",
        arguments: [.init(name: "transcript", help: "A transcript (.jsonl) written by flow run (default: the last run).", optional: true)],
        options: [.init(name: "--list", value: nil, help: "List the project's 20 most recent runs, newest first."),
                  .init(name: "--html", value: "<path>", help: "Write the run as a self-contained HTML page here (the page flow report makes).")],
        main: .sync { RecordCommands.show($0) })

    static let report = CommandSpec(
        name: "report",
        abstract: "Make the single-file HTML report from 'flow test --json' results.",
        discussion: """
        One page with no server, network, external script or font: it opens from file:// and as a
        CI artifact. The run header (commit, workflow sha256, date, totals, pass rate, cost), the
        case × variant matrix with failures first, filters (failed, passed, changed against the
        baseline), a search box, and for each cell its expectations and transcript (results
        written with --traces). Several results files are merged, as shards. Keys never appear.
        """,
        arguments: [.init(name: "results", help: "Files written by 'flow test --json --traces'.", repeatable: true)],
        options: [
            .init(name: "--output", value: "<path>", help: "Write the page here (default: standard output)."),
            .init(name: "--baseline", value: "<file>", help: "An earlier 'flow test --json' report: cells that changed are marked, and the Changed filter shows them."),
            .init(name: "--title", value: "<text>", help: "The page's title (default: the results files)."),
        ],
        main: .sync { ReportCommand.main($0) })

    static let cost = CommandSpec(
        name: "cost",
        abstract: "Total tokens and cost of runs, by workflow, model and day.",
        discussion: "Counts live calls only: replayed and scripted (mock) answers cost nothing. --include-replays adds them at the cost they were recorded at.",
        arguments: [.init(name: "paths", help: "Transcripts, or directories of them (default: the project's .flow/runs).", repeatable: true, optional: true)],
        options: [
            .init(name: "--include-replays", value: nil, help: "Also count replayed and scripted calls, at their recorded cost."),
            .init(name: "--json", value: nil, help: "Print the tables as JSON."),
        ],
        main: .sync { RecordCommands.cost($0) })

    static let diff = CommandSpec(
        name: "diff",
        abstract: "Where two runs diverged: the first differing request or answer, and the deltas.",
        discussion: "Exits 0 when the runs sent the same requests and got the same answers, 1 when they differ.",
        arguments: [.init(name: "a", help: "The first transcript."), .init(name: "b", help: "The second transcript.")],
        main: .sync { RecordCommands.diff($0) })

    static let models = CommandSpec(
        name: "models",
        abstract: "List the providers and the models flow has prices for.",
        discussion: "Prices are USD per million tokens from the built-in table, extended by --prices or FLOW_PRICES; configured providers come from flow.config.yaml in the current directory or above.",
        options: [
            .init(name: "--provider", value: "<name>", help: "Only this provider's models."),
            .init(name: "--prices", value: "<file>", help: "Prices in LiteLLM's JSON format (or FLOW_PRICES)."),
            .init(name: "--json", value: nil, help: "Print the list as JSON."),
        ],
        main: .sync { ModelsCommand.main($0) })

    static let schema = CommandSpec(
        name: "schema",
        abstract: "Print the JSON Schema (2020-12) of the workflow format, for editors.",
        discussion: "Save it and name it in a workflow's first line, '# yaml-language-server: $schema=path/to/flow.schema.json', and YAML editors (VS Code's YAML extension, Neovim and Helix with yaml-language-server) check and complete the file as it is typed; flow init does both. The schema knows each key, its type and range; flow validate and flow lsp know the rest (goto targets, variables, called workflows).",
        options: [.init(name: "--config", value: nil, help: "The schema of flow.config.yaml instead.")],
        main: .sync { SchemaCommand.main($0) })

    static let lsp = CommandSpec(
        name: "lsp",
        abstract: "Run the language server for workflow files (LSP over standard input and output).",
        discussion: "Editors start it: it sends flow validate's diagnostics for open workflows as they are typed (problems in templates and called workflows placed in those files, unsaved buffers read before the disk), completes keys, model names, step ids and variables, shows what a key, variable, step or model is on hover, goes to a template, called workflow, step or variable's definition, and lists the steps as symbols. docs/editors.md has the settings for VS Code, Neovim and Helix.",
        main: .sync { LSPCommand.main($0) })

    static let mcp = CommandSpec(
        name: "mcp",
        abstract: "List the tools a workflow's MCP servers offer (starts them).",
        discussion: "flow mcp list FILE [SERVER] starts each MCP server the workflow declares (or the one named), prints the tools it lists as steps name them (server.tool), marks those its allow: leaves out, and stops it. For writing a step's tools: and a server's allow:.",
        arguments: [.init(name: "action", help: "list."), .init(name: "file", help: "The workflow file."),
                    .init(name: "server", help: "One server (its name); default: all.", optional: true)],
        options: [.init(name: "--json", value: nil, help: "Print each server's tools/list as JSON.")],
        main: .async { await MCPCommand.main($0) })

    static let help = CommandSpec(
        name: "help",
        abstract: "Show help for a command.",
        arguments: [.init(name: "command", help: "The command to describe.", optional: true)],
        main: .sync { HelpCommand.main($0) })

    static let batch = CommandSpec(
        name: "batch",
        abstract: "Show or cancel the batches flow test --batch has in flight.",
        discussion: "Batches are kept in the project's .flow/batches until their answers are in the cassette; a flow test --batch started again resumes them. status asks each provider where its batch stands (with the key in the environment); cancel asks it to stop.",
        arguments: [.init(name: "action", help: "status or cancel."), .init(name: "id", help: "One batch (its id); default: all.", optional: true)],
        options: [.init(name: "--json", value: nil, help: "Print the batches as JSON.")],
        main: .async { await BatchCommand.main($0) })

    static let initialize = CommandSpec(
        name: "init",
        abstract: "Write a starter project: config, a workflow with a template and tests, a CI workflow.",
        discussion: "The project passes flow validate and flow test as written (its test case runs on the mock provider). Files that exist are never overwritten: if any would be, nothing is written (exit 73).",
        arguments: [.init(name: "dir", help: "Where to write it (default: the current directory).", optional: true)],
        main: .sync { InitCommand.main($0) })

    static let importer = CommandSpec(
        name: "import",
        abstract: "Make a workflow from a .prompt.yml, .prompty, promptfooconfig.yaml, OpenAI Evals export or evals registry file.",
        discussion: "Writes NAME.yaml and its templates (NAME.*.mustache) beside the file, tests from testData or the sample, and lists what could not be carried over, line by line (an evaluator or assertion with no flow equivalent). A Jinja or Nunjucks construct Mustache cannot say exactly stops the import at its line (exit 65). A promptfoo config becomes one workflow with variants for its prompts x providers, and flow.config.yaml for its compatible servers. An OpenAI Evals export (the eval's JSON with its run and rows) or an evals registry file (NAME.yaml, written as NAME.flow.yaml) becomes a workflow whose datasets carry each sample's conversation and checks. Nothing that exists is overwritten.",
        arguments: [.init(name: "file", help: "The .prompt.yml, .prompty, promptfooconfig.yaml, Evals export (.json) or evals registry (.yaml) file.")],
        main: .sync { ImportCommand.main($0) })

    static let serve = CommandSpec(
        name: "serve",
        abstract: "Serve a project's workflows over HTTP: POST /v1/workflows/NAME/runs.",
        discussion: "Loads and validates every workflow under DIR (default workflows/, else .), then answers POST /v1/workflows/{name}/runs with {\"vars\": {…}} by running it: the run report as JSON (flow run --json's), or with Accept: text/event-stream its events (start, text, step, end). GET /v1/workflows lists the workflows with their vars and a JSON Schema of the inputs; GET /healthz and /readyz answer probes. Bearer tokens come from FLOW_SERVE_TOKENS (comma-separated) or --tokens-file; with none the server listens on loopback only. A changed workflow is reloaded; one that no longer validates keeps its last good version and is listed as stale. Transcripts go where flow run puts them. SIGTERM stops taking runs and finishes those in flight (a second signal stops at once). docs/serve.md.",
        arguments: [.init(name: "dir", help: "The folder of workflows (default workflows/, else the current one).", optional: true)],
        options: [.init(name: "--host", value: "<address>", help: "IPv4 address to listen on (default 127.0.0.1; another needs bearer tokens)."),
                  .init(name: "--port", value: "<n>", help: "Port (default 8080; 0 picks a free one, printed)."),
                  .init(name: "--tokens-file", value: "<file>", help: "Bearer tokens, one per line (# comments), beside FLOW_SERVE_TOKENS."),
                  .init(name: "--max-body", value: "<bytes>", help: "Largest request body (default 1048576); larger is 413."),
                  .init(name: "--per-client", value: "<n>", help: "Runs one client (token, or address) may have at once (default 8); more is 429."),
                  .init(name: "-j", value: "<n>", help: "Requests in flight to one provider, across every run (default 64)."),
                  .init(name: "--connections", value: "<n>", help: "Connections open at once (default 256); more are answered 503."),
                  .init(name: "--idle", value: "<seconds>", help: "How long a connection may be silent (default 30); a half-sent request then gets 408."),
                  .init(name: "--grace", value: "<seconds>", help: "How long SIGTERM waits for runs in flight (default 30)."),
                  .init(name: "--transcript-dir", value: "<dir>", help: "Where transcripts go (default .flow/runs of the current project; off keeps none)."),
                  .init(name: "--replay", value: nil, help: "Answer from each workflow's cassette (NAME.cassette.json): no keys, no network."),
                  .init(name: "--otlp", value: "<url>", help: "Export OpenTelemetry spans (OTLP/HTTP JSON) to this collector; a request's traceparent is their parent."),
                  .init(name: "--otlp-content", value: nil, help: "Put prompts and answers on the spans too (redacted).")],
        main: .concurrent { await ServeCommand.main($0) })

    static let completions = CommandSpec(
        name: "completions",
        abstract: "Print a shell completion script (bash, zsh or fish).",
        discussion: "make install puts them where each shell looks; to load one by hand: source <(flow completions bash).",
        arguments: [.init(name: "shell", help: "bash, zsh or fish.")],
        main: .sync { ShellCompletions.main($0) })

    static let manpage = CommandSpec(
        name: "manpage",
        abstract: "Print the manual page (flow.1, roff) written from this help.",
        discussion: "make install installs it; to read it by hand: flow manpage | man -l -",
        main: .sync { ManualPage.main($0) })

    static let all = [run, validate, test, render, show, report, cost, diff, models, batch, initialize, importer, schema, lsp, mcp, serve, completions, manpage, help]

    /// `flow --version`: the version and the commit `make install` built it from.
    static var versionLine: String {
        let commit = String(cString: flow_build_commit())
        return "flow " + Interpreter.version + " (" + (commit.isEmpty ? "development build" : "commit " + commit) + ")"
    }

    static var overview: String {
        var out = """
        OVERVIEW: flow runs declarative prompt workflows against LLM providers.

        A workflow is a YAML file with a system prompt, templated user turns, prefills,
        sampling parameters, steps, and what follows each finish reason. flow runs it,
        keeps the conversation, records every request and response with tokens and cost,
        and turns the workflow's test cases into regression checks (flow test).

        USAGE: flow <subcommand>

        OPTIONS:

        """
        out += CommandSpec.row("--version", "Show the version.")
        out += CommandSpec.row("-h, --help", "Show help information.")
        out += "\nSUBCOMMANDS:\n"
        for command in all { out += CommandSpec.row(command.name, command.abstract) }
        out += "\n  See 'flow help <subcommand>' for detailed help.\n"
        return out
    }
}

/// `flow help [command]`: the overview, or one command's help.
enum HelpCommand {
    static func main(_ arguments: ParsedArguments) -> Int32 {
        guard let name = arguments.positionals.first else {
            Terminal.out(Commands.overview)
            return ExitStatus.ok
        }
        guard let described = Commands.all.first(where: { $0.name == name }) else {
            let hint = Suggestion.closest(to: name, in: Commands.all.map(\.name)).map { "Did you mean '\($0)'?" }
            Terminal.report(UsageError(message: "Unknown subcommand '\(name)'", hint: hint, command: Commands.help))
            return ExitStatus.usage
        }
        Terminal.out(described.help)
        return ExitStatus.ok
    }
}
