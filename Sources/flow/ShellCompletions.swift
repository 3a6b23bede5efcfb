import FlowCore
import FlowSource

/// `flow completions <bash|zsh|fish>`: a completion script written from the command table, so
/// completions list exactly the commands and options `--help` shows (make install installs them).
enum ShellCompletions {
    static let shells = ["bash", "zsh", "fish"]

    static func main(_ arguments: ParsedArguments) -> Int32 {
        let shell = arguments.positionals.first ?? ""
        switch shell {
        case "bash": Terminal.out(bash(Commands.all))
        case "zsh": Terminal.out(zsh(Commands.all))
        case "fish": Terminal.out(fish(Commands.all))
        default:
            Terminal.report(UsageError(message: "Unknown shell '\(shell)'; flow writes completions for bash, zsh and fish",
                                       hint: Suggestion.closest(to: shell, in: shells).map { "Did you mean '\($0)'?" },
                                       command: Commands.completions))
            return ExitStatus.usage
        }
        return ExitStatus.ok
    }

    /// bash: subcommands first, then each command's options; anything else completes file names.
    static func bash(_ commands: [CommandSpec]) -> String {
        var out = """
        # bash completion for flow, written by `flow completions bash`.
        _flow() {
            local cur prev opts
            cur="${COMP_WORDS[COMP_CWORD]}"
            prev="${COMP_WORDS[COMP_CWORD-1]}"
            COMPREPLY=()
            if [ "$COMP_CWORD" -eq 1 ]; then
                COMPREPLY=( $(compgen -W "\(commands.map(\.name).joined(separator: " ")) --help --version" -- "$cur") )
                return
            fi
            case "${COMP_WORDS[1]}" in

        """
        for command in commands {
            out += "        \(command.name)) opts=\"\(command.allOptions.map(\.name).joined(separator: " "))\" ;;\n"
        }
        out += """
                *) opts="--help" ;;
            esac
            if [[ "$cur" == -* ]]; then
                COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
            else
                COMPREPLY=( $(compgen -f -- "$cur") )
            fi
        }
        complete -o filenames -o bashdefault -F _flow flow

        """
        return out
    }

    /// zsh: `_describe` for subcommands, `_arguments` with each option's help.
    static func zsh(_ commands: [CommandSpec]) -> String {
        var out = "#compdef flow\n# zsh completion for flow, written by `flow completions zsh`.\n\n_flow() {\n    local -a commands\n    commands=(\n"
        for command in commands {
            out += "        '\(command.name):\(zshText(command.abstract))'\n"
        }
        out += "    )\n    if (( CURRENT == 2 )); then\n        _describe 'command' commands\n        return\n    fi\n    case $words[2] in\n"
        for command in commands {
            var specs: [String] = []
            for option in command.allOptions {
                let text = zshText(option.help).replacingOccurrences(of: "[", with: "(").replacingOccurrences(of: "]", with: ")")
                let many = option.repeatable ? "*" : ""
                let value = option.value.map { ":" + zshText($0).replacingOccurrences(of: ":", with: " ") + ":_files" } ?? ""
                specs.append("'\(many)\(option.name)[\(text)]\(value)'")
            }
            if !command.arguments.isEmpty { specs.append("'*:file:_files'") }
            out += "        \(command.name))\n            _arguments -s \\\n                " + specs.joined(separator: " \\\n                ") + " ;;\n"
        }
        out += "    esac\n}\n\n_flow \"$@\"\n"
        return out
    }

    /// fish: one `complete` line per subcommand and per option.
    static func fish(_ commands: [CommandSpec]) -> String {
        var out = "# fish completion for flow, written by `flow completions fish`.\ncomplete -c flow -f\n"
        out += "complete -c flow -n '__fish_use_subcommand' -l version -d 'Show the version.'\n"
        for command in commands {
            out += "complete -c flow -n '__fish_use_subcommand' -a \(command.name) -d '\(fishText(command.abstract))'\n"
        }
        for command in commands {
            let when = "-n '__fish_seen_subcommand_from \(command.name)'"
            for option in command.allOptions {
                out += "complete -c flow \(when) -l \(option.name.dropFirst(2))\(option.value == nil ? "" : " -r -F") -d '\(fishText(option.help))'\n"
            }
            if !command.arguments.isEmpty { out += "complete -c flow \(when) -F\n" }
        }
        return out
    }

    /// Text inside zsh single quotes (a quote closes, escapes and reopens).
    static func zshText(_ text: String) -> String { text.replacingOccurrences(of: "'", with: "'\\''") }

    /// Text inside fish single quotes (backslash and quote escaped).
    static func fishText(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
    }
}
