import FlowCore

/// `flow schema [--config]`: the JSON Schema of the workflow format (or of flow.config.yaml),
/// for editors: yaml-language-server validates and completes a file that names it in a
/// `# yaml-language-server: $schema=…` line (flow init writes both).
enum SchemaCommand {
    static func main(_ arguments: ParsedArguments) -> Int32 {
        let schema = arguments.flags.contains("--config") ? FormatSchema.config : FormatSchema.workflow
        Terminal.out(schema.pretty + "\n")
        return ExitStatus.ok
    }
}
