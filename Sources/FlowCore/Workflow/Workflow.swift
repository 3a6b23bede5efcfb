import FlowSource
import FlowTemplate

/// A decoded, validated workflow file (format v1). Pure data: file references are not read yet.
public struct Workflow: Sendable {
    public var version: Int
    public var name: String
    public var description: String?
    /// The default model for every step; nil when every step names its own.
    public var model: ModelRef?
    public var params: SamplingParams
    public var vars: [Variable]
    public var system: TemplateSource?
    public var steps: [Step]
    public var output: TemplateSource?
    /// Scripted replies for the `mock` provider, served in order.
    public var mock: [MockReply]
}

/// `provider/model`, as written in the workflow.
public struct ModelRef: Sendable, Equatable, CustomStringConvertible {
    public var provider: String
    public var name: String
    public var mark: Mark?

    public init(provider: String, name: String, mark: Mark? = nil) {
        self.provider = provider
        self.name = name
        self.mark = mark
    }

    /// Parses `provider/model`; the model part may itself contain slashes.
    public init?(parsing text: String, mark: Mark? = nil) {
        guard let slash = text.firstIndex(of: "/") else { return nil }
        let provider = String(text[..<slash]), name = String(text[text.index(after: slash)...])
        guard !provider.isEmpty, !name.isEmpty else { return nil }
        self.init(provider: provider, name: name, mark: mark)
    }

    public static func == (lhs: ModelRef, rhs: ModelRef) -> Bool {
        lhs.provider == rhs.provider && lhs.name == rhs.name
    }

    public var description: String { "\(provider)/\(name)" }
}

/// An input of the workflow. A nil default means the caller must set it (`--var name=value`).
public struct Variable: Sendable {
    public var name: String
    public var defaultValue: TemplateValue?
    public var mark: Mark
}

/// A template given inline in the YAML or as `{file: path}` relative to the workflow file.
public enum TemplateSource: Sendable, Hashable {
    case inline(String, Mark)
    case file(String, Mark)

    public var mark: Mark {
        switch self {
        case .inline(_, let mark), .file(_, let mark): return mark
        }
    }
}

public struct Step: Sendable {
    public var id: String
    public var mark: Mark
    public var user: TemplateSource
    /// The start of the assistant's answer; part of the saved text.
    public var prefill: TemplateSource?
    public var params: SamplingParams
    public var model: ModelRef?
    /// The variable that receives the assistant's text (prefill included).
    public var save: String?
}

/// One scripted reply of the `mock` provider.
public struct MockReply: Sendable, Equatable {
    public var content: String
    public var finishReason: String
    public var usage: Usage

    public init(content: String, finishReason: String = "stop", usage: Usage = .init()) {
        self.content = content
        self.finishReason = finishReason
        self.usage = usage
    }
}
