import FlowCore

/// The files `flow init` writes. Each is a small working example of one part of flow, commented
/// where a new user would look first.
enum StarterProject {
    struct File {
        var path: String
        var text: String
    }

    static let files = [
        File(path: "flow.config.yaml", text: config),
        File(path: "workflows/summarize.yaml", text: workflow),
        File(path: "templates/summarize.user.mustache", text: template),
        File(path: ".github/workflows/flow.yml", text: githubActions),
        // What the workflow's first line names, so an editor checks it as it is typed.
        File(path: "flow.schema.json", text: FormatSchema.workflow.pretty + "\n"),
    ]

    static let config = """
        # flow.config.yaml: found in a workflow's directory or above it.
        # OpenAI, Anthropic and Gemini need no entry here: flow reads their keys from
        # OPENAI_API_KEY, ANTHROPIC_API_KEY and GEMINI_API_KEY (and their endpoints from
        # OPENAI_BASE_URL, ANTHROPIC_BASE_URL and GEMINI_BASE_URL when set).
        #
        # providers:                       # OpenAI-compatible servers, used as name/model
        #   ollama:                        # model: ollama/llama3.2
        #     base_url: http://localhost:11434/v1
        #     structured_output: json_schema
        #   openrouter:
        #     base_url: https://openrouter.ai/api/v1
        #     api_key_env: OPENROUTER_API_KEY
        #
        # key_files:                       # read when the key's variable is unset
        #   openai: ~/.config/flow/openai.key
        #   anthropic: ~/.config/flow/anthropic.key
        #   gemini: ~/.config/flow/gemini.key
        #
        # rate_limits:                     # never exceeded, per provider or per model
        #   openai: {rpm: 500, tpm: 200000}
        #   anthropic/claude-haiku-4-5: {rpm: 50}

        """

    static let workflow = """
        # yaml-language-server: $schema=../flow.schema.json
        # A first workflow: summarize a text in a given number of bullet points.
        # It runs offline on the mock provider, whose replies are scripted at the end.
        #   flow run workflows/summarize.yaml
        #   flow run workflows/summarize.yaml --model openai/gpt-4o-mini --var bullets=2
        #   flow test                        # the tests below, offline
        flow: 1
        name: summarize
        model: mock/scripted
        params: {temperature: 0.2, max_tokens: 300}
        vars:
          bullets: 3
          text: |
            flow keeps prompt workflows in reviewed YAML files beside their templates. It runs them
            against OpenAI, Anthropic, Gemini or a local server, records what each call cost, and
            replays recorded answers in CI, so a prompt change is tested like a code change.
        system: |
          You write short, faithful summaries. Never add facts that are not in the text.
        steps:
          - id: summary
            user: {file: ../templates/summarize.user.mustache}
            on:
              length: {retry: 1}           # a cut-off answer is tried once more
        tests:
          - name: three bullets that keep the key fact
            expect:
              - {contains: "- "}
              - {matches: "(?i)records"}
          - name: one bullet
            vars: {bullets: 1}
            mock: ["- flow tests prompt workflows in CI."]
            expect:
              - {not: {contains: "\\n"}}
        mock:
          - |-
            - Workflows are YAML files reviewed beside their templates.
            - flow runs them on any provider and records what each call cost.
            - Recorded answers replay in CI, so prompt changes are tested.

        """

    static let template = """
        Summarize the text below in exactly {{bullets}} bullet points, each starting with "- ".

        {{text}}

        """

    static let githubActions = """
        # Runs the workflows' tests on every push and pull request, replaying recorded answers:
        # no API key, no cost. Record answers with: flow test --live --record (keys set).
        name: flow test
        on: [push, pull_request]
        jobs:
          flow:
            runs-on: ubuntu-latest
            container: swift:6.0
            steps:
              - uses: actions/checkout@v4
              - name: Install flow
                env:
                  FLOW_REPOSITORY: https://github.com/your-org/flow.git   # where your team keeps flow
                run: |
                  apt-get update -qq && apt-get install -y -qq libyaml-dev pkg-config libcurl4 make git
                  git clone --depth 1 "$FLOW_REPOSITORY" /tmp/flow
                  make -C /tmp/flow install
              - name: Test the workflows
                run: flow test --junit flow-junit.xml
              - name: Keep the report
                if: always()
                uses: actions/upload-artifact@v4
                with: {name: flow-junit, path: flow-junit.xml}

        """
}
