import FlowCore

/// `--otlp URL`, `--otlp-content` and the standard `OTEL_*` variables, for run, test and serve.
enum TelemetryOption {
    /// The command's tracing, nil when nothing asks for it; a usage error for a bad setting.
    static func make(_ arguments: ParsedArguments, command: CommandSpec) -> Result<Telemetry?, UsageError> {
        do throws(OTLPConfigError) {
            guard let settings = try OTLPExporter.Settings.from(flag: arguments.value("--otlp"), environment: ProcessEnvironment.current) else {
                return arguments.flags.contains("--otlp-content")
                    ? .failure(UsageError(message: "--otlp-content needs --otlp URL or OTEL_EXPORTER_OTLP_ENDPOINT", command: command)) : .success(nil)
            }
            return .success(Telemetry(exporter: OTLPExporter(settings), includeContent: arguments.flags.contains("--otlp-content")))
        } catch {
            return .failure(UsageError(message: error.message, command: command))
        }
    }

    /// Sends what is queued (waiting at most `seconds`: a collector that is down does not hold
    /// the command up) and says what could not be exported.
    static func finish(_ telemetry: Telemetry?, seconds: Double = 1) {
        guard let telemetry else { return }
        telemetry.exporter.shutdown(timeout: seconds)
        let counts = telemetry.exporter.counts
        if counts.dropped + counts.failed > 0 {
            Terminal.err("warning: \(counts.dropped + counts.failed) spans were not exported to \(telemetry.exporter.settings.url)"
                         + " (\(counts.failed) not taken by the collector, \(counts.dropped) dropped from a full queue)\n")
        }
    }
}
