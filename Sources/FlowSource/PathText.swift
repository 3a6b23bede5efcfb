/// The parts of a path that the load path needs, without NSString.
public enum PathText {
    /// The path without its last component, as NSString's `deletingLastPathComponent` gives
    /// it: repeated slashes folded, a trailing slash ignored, "" for a bare name, "/" at the root.
    public static func directory(of path: String) -> String {
        var folded: [UInt8] = []
        folded.reserveCapacity(path.utf8.count)
        for byte in path.utf8 where !(byte == UInt8(ascii: "/") && folded.last == UInt8(ascii: "/")) { folded.append(byte) }
        if folded.count > 1, folded.last == UInt8(ascii: "/") { folded.removeLast() }
        guard let slash = folded.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return slash == 0 ? "/" : String(decoding: folded[..<slash], as: UTF8.self)
    }
}
