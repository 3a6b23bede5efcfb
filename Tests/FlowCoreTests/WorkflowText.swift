import FlowSource
import FlowYAML
@testable import FlowCore

/// A workflow decoded from text named `w.yaml`, for tests of what the decoder accepts and says.
enum WorkflowText {
    static func decode(_ text: String) throws -> Workflow {
        let source = SourceFile(path: "w.yaml", text: text)
        return try WorkflowDecoder.decode(try YAML.load(source), source: source)
    }

    /// The decoder's errors as printed, or "no error".
    static func problems(_ text: String) -> String {
        do {
            _ = try decode(text)
            return "no error"
        } catch {
            return "\(error)"
        }
    }
}
