/// How a template renders.
public struct RenderOptions: Sendable {
    /// Prompts are not HTML, so `.none` is the default; the Mustache spec tests use `.html`.
    public var escaping: Escaping
    /// What a name that resolves to nothing does.
    public var missing: MissingPolicy
    /// Templates that `{{> name}}` and `{{< name}}` refer to.
    public var partials: PartialLibrary
    /// Deepest nesting of partials and parents: a template that includes itself stops here.
    public var maxDepth: Int

    /// Options for one render; the defaults are prompt mode: no escaping, strict names, no partials.
    public init(escaping: Escaping = .none, missing: MissingPolicy = .error, partials: PartialLibrary = .init(), maxDepth: Int = 64) {
        self.escaping = escaping
        self.missing = missing
        self.partials = partials
        self.maxDepth = maxDepth
    }
}

/// How `{{name}}` values are escaped: not at all (prompts), or for HTML as Mustache specifies.
public enum Escaping: String, Sendable {
    case none, html
}

/// What happens when a name resolves to nothing.
public enum MissingPolicy: Sendable {
    /// Strict: a missing variable, section or partial is an error naming it (the default).
    case error
    /// The Mustache spec's rule: missing names render as nothing.
    case empty
    /// For previews: a missing variable renders as `[name]`, a missing section as false.
    case placeholder
}

/// Named templates for partials and parents, injected so rendering reads no files.
public struct PartialLibrary: Sendable {
    /// The parsed templates by partial name (`shared/signature` for `{{> shared/signature}}`).
    public var templates: [String: Template]

    /// A library of already parsed partials; rendering never reads files.
    public init(_ templates: [String: Template] = [:]) { self.templates = templates }

    /// The partial called `name`, or nil.
    public subscript(name: String) -> Template? { templates[name] }
}
