import Foundation
import FlowCore

/// A workflow file, loaded and checked as `flow validate` checks it: its templates, datasets,
/// schemas and `flow.config.yaml` are read once, here, so a run does no parsing.
public struct FlowWorkflow: Sendable {
    let loaded: LoadedWorkflow

    /// The workflow's `name:`.
    public var name: String { loaded.workflow.name }
    /// The file it was loaded from.
    public var path: String { loaded.source.path }
    /// The inputs it declares, in order.
    public var inputs: [FlowInput] {
        loaded.workflow.vars.map { FlowInput(name: $0.name, defaultValue: $0.defaultValue.map(FlowValue.init)) }
    }
    /// Warnings the loader found (an unknown model's price, say); the workflow still runs.
    public var warnings: [String] { loaded.warnings.map(\.description) }

    /// Loads the workflow at `path` (its templates and config relative to it).
    /// - Throws: `FlowError.invalid` with every problem as `file:line:column: error: …`.
    public static func load(path: String) throws(FlowError) -> FlowWorkflow {
        do {
            return FlowWorkflow(loaded: try WorkflowLoader.load(path: path))
        } catch {
            throw FlowError(kind: .invalid, message: error.description)
        }
    }

    /// Loads `NAME.yaml` (or `.yml`) bundled as a resource, e.g. a package's `Resources/flows`
    /// folder copied with `.copy("flows")`: `FlowWorkflow.load(resource: "support", in: .module, subdirectory: "flows")`.
    public static func load(resource name: String, in bundle: Bundle, subdirectory: String? = nil) throws(FlowError) -> FlowWorkflow {
        let url = bundle.url(forResource: name, withExtension: "yaml", subdirectory: subdirectory)
            ?? bundle.url(forResource: name, withExtension: "yml", subdirectory: subdirectory)
        guard let url else {
            throw FlowError(kind: .invalid, message: "no workflow resource '\(name).yaml'\(subdirectory.map { " in \($0)" } ?? "") in \(bundle.bundlePath)")
        }
        return try load(path: url.path)
    }
}

/// One declared input: its name and default (`nil`: the run must give it).
public struct FlowInput: Sendable, Equatable {
    public let name: String
    public let defaultValue: FlowValue?
    /// Whether a run must give it.
    public var isRequired: Bool { defaultValue == nil }

    public init(name: String, defaultValue: FlowValue?) {
        self.name = name
        self.defaultValue = defaultValue
    }
}

/// Why a workflow could not be loaded or run.
public struct FlowError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The file has problems (`flow validate` would say so).
        case invalid
        /// An input is unknown, missing or of the wrong shape.
        case input
        /// A provider failed and retrying did not help, or the run hit a limit.
        case run
        /// The task running it was cancelled.
        case cancelled
    }

    public let kind: Kind
    /// What went wrong, and usually how to fix it.
    public let message: String
    /// The steps that finished before the failure, when it happened mid-run.
    public var partial: FlowResult?

    public var description: String { message }

    init(kind: Kind, message: String, partial: FlowResult? = nil) {
        self.kind = kind
        self.message = message
        self.partial = partial
    }
}
