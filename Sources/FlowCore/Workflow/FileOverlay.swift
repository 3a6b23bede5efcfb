/// Files as an editor holds them, unsaved: while `FileOverlay.$documents` is bound (the language
/// server binds it around each check), the loader reads a workflow, template, schema or called
/// workflow from here before the disk, so diagnostics are of what the user sees.
public enum FileOverlay {
    /// Absolute path → the bytes of the editor's buffer.
    @TaskLocal public static var documents: [String: [UInt8]] = [:]
}
