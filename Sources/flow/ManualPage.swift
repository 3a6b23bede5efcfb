import FlowCore

/// `flow manpage`: flow.1 in roff, written from the command table behind `--help`, so the
/// manual and the help cannot drift apart (make install installs it).
enum ManualPage {
    static func main(_ arguments: ParsedArguments) -> Int32 {
        Terminal.out(page(Commands.all))
        return ExitStatus.ok
    }

    static func page(_ commands: [CommandSpec]) -> String {
        var out = """
        .TH FLOW 1 "" "\(roff(Commands.versionLine))" "User Commands"
        .SH NAME
        flow \\- run declarative prompt workflows against LLM providers
        .SH SYNOPSIS
        .B flow
        .I command
        [\\fIoptions\\fR] [\\fIarguments\\fR]
        .br
        .B flow \\-\\-version
        .SH DESCRIPTION
        A workflow is a YAML file with a system prompt, templated user turns, prefills, sampling
        parameters, steps, and what follows each finish reason. flow runs it against OpenAI,
        Anthropic, Gemini or an OpenAI-compatible server, keeps the conversation, records every
        request and response with tokens and cost, and turns the workflow's test cases into
        regression checks.
        .SH COMMANDS

        """
        for command in commands {
            out += ".SS \"\(roff(command.usage))\"\n\(roff(command.abstract))\n"
            if let discussion = command.discussion {
                out += ".PP\n" + roff(discussion.split(separator: "\n").joined(separator: " ")) + "\n"
            }
            for argument in command.arguments {
                out += ".TP\n.I \"<\(roff(argument.name))>\"\n\(roff(argument.help))\n"
            }
            for option in command.allOptions {
                let label = option.name == "--help" ? "\\fB\\-h\\fR, \\fB\\-\\-help\\fR" : "\\fB" + roff(option.name) + "\\fR" + (option.value.map { " \\fI" + roff($0) + "\\fR" } ?? "")
                out += ".TP\n\(label)\n\(roff(option.help))\n"
            }
        }
        out += """
        .SH EXIT STATUS
        0 success; 1 a step ended in a way the workflow does not accept, or a test case failed;
        64 a command-line mistake; 65 an invalid workflow or file; 66 a file that cannot be read;
        69 a provider gave no usable answer; 70 a fault of flow's own; 73 a file that would be
        overwritten; 74 a record could not be written; 130 interrupted.
        .SH ENVIRONMENT
        .TP
        .B OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY
        The providers' keys. They go only into the request's authentication header and are
        removed from every record and message.
        .TP
        .B OPENAI_BASE_URL, ANTHROPIC_BASE_URL, GEMINI_BASE_URL
        Another endpoint for a provider.
        .TP
        .B FLOW_PRICES, FLOW_CASSETTE
        A price table in LiteLLM's format; the cassette to replay.
        .SH FILES
        .TP
        .B flow.config.yaml
        Compatible servers, key files and rate limits, found in the workflow's directory or above.
        .TP
        .B .flow/runs/
        Transcripts, one JSON Lines file per run.

        """
        return out
    }

    /// Text safe in roff: backslashes and hyphens escaped, a leading dot or quote neutralised.
    static func roff(_ text: String) -> String {
        var escaped = text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
        if escaped.hasPrefix(".") || escaped.hasPrefix("'") { escaped = "\\&" + escaped }
        return escaped
    }
}
