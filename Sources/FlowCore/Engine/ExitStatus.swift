/// Exit statuses (sysexits), defined once for the library and the CLI; docs/cli.md lists them.
public enum ExitStatus {
    /// Success.
    public static let ok: Int32 = 0
    /// A step ended in a way the workflow does not accept, or a test case failed.
    public static let failed: Int32 = 1
    /// A command-line mistake (EX_USAGE).
    public static let usage: Int32 = 64
    /// An invalid workflow or file (EX_DATAERR).
    public static let invalid: Int32 = 65
    /// A file that does not exist or cannot be read (EX_NOINPUT).
    public static let noInput: Int32 = 66
    /// A provider gave no usable answer (EX_UNAVAILABLE).
    public static let unavailable: Int32 = 69
    /// A fault of flow's own (EX_SOFTWARE).
    public static let software: Int32 = 70
    /// A file would be overwritten, or cannot be created (EX_CANTCREAT).
    public static let cantCreate: Int32 = 73
    /// A record could not be written (EX_IOERR).
    public static let ioError: Int32 = 74
    /// Interrupted by SIGINT or SIGTERM (128 + 2, as a shell reports it).
    public static let interrupted: Int32 = 130
}
