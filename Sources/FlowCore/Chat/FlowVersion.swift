/// flow's version, in `--version`, every run_start and what it tells servers it talks to (MCP's
/// `clientInfo`). Here, below every folder that says it.
public enum FlowVersion {
    public static let current = "0.2.0"
}
