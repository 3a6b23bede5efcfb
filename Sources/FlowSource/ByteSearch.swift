#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Searching bytes: secrets in a line (Redaction), a word in a message (the terminal). Plain
/// loops over contiguous bytes, not `firstRange(of:)`, whose generic search in
/// _StringProcessing costs about 0.1 ms the first time a process uses it.
extension Array where Element == UInt8 {
    /// Whether `part` occurs in these bytes.
    public func contains(_ part: [UInt8]) -> Bool { firstOffset(of: part) != nil }

    /// Where `part` first occurs at or after `start`; nil when it does not (or is empty).
    public func firstOffset(of part: [UInt8], from start: Int = 0) -> Int? {
        guard let first = part.first, part.count <= count - start else { return nil }
        return withUnsafeBufferPointer { hay in
            part.withUnsafeBufferPointer { needle in
                var offset = start
                let last = hay.count - needle.count
                while offset <= last {
                    // Scan for the first byte, then compare the rest.
                    guard hay[offset] == first else { offset += 1; continue }
                    if memcmp(hay.baseAddress! + offset, needle.baseAddress!, needle.count) == 0 { return offset }
                    offset += 1
                }
                return nil
            }
        }
    }

    /// These bytes with every occurrence of `part` (non-overlapping, left to right) replaced.
    public func replacingBytes(_ part: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var position = 0
        while let found = firstOffset(of: part, from: position) {
            out.append(contentsOf: self[position..<found])
            out.append(contentsOf: replacement)
            position = found + part.count
        }
        out.append(contentsOf: self[position...])
        return out
    }

    /// Whether these bytes end with `suffix`.
    public func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }
}

extension StringProtocol {
    /// Whether `part`, an ASCII text such as "{{", occurs in this text. For ASCII, bytes agree
    /// with characters; Foundation's `contains(_:)` gives the same answer but bridges to
    /// NSString first, a cost the load path pays once per process for nothing.
    public func containsASCII(_ part: StaticString) -> Bool {
        let needle = UnsafeBufferPointer(start: part.utf8Start, count: part.utf8CodeUnitCount)
        return Array(utf8).contains(Array(needle))
    }
}
