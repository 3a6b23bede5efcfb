import Foundation

/// The Language Server Protocol's framing of JSON-RPC: `Content-Length: N` (other headers
/// ignored), a blank line, then N bytes of JSON. Used by `flow lsp` and by the benchmark that
/// drives it.
public enum LanguageServerFraming {
    /// `message` framed.
    public static func frame(_ message: JSON) -> Data {
        let body = Array(message.serialized.utf8)
        return Data("Content-Length: \(body.count)\r\n\r\n".utf8) + Data(body)
    }

    /// The next message's body, reading from `input` as needed; nil when it ends first.
    public static func next(_ buffer: inout [UInt8], from input: FileHandle) -> [UInt8]? {
        while true {
            if let body = take(&buffer) { return body }
            let data = input.availableData
            guard !data.isEmpty else { return nil }
            buffer += data
        }
    }

    /// A whole message's body from the front of `buffer`, removed from it; nil until one is there.
    static func take(_ buffer: inout [UInt8]) -> [UInt8]? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard buffer.count >= 4, let end = (0...(buffer.count - 4)).first(where: { buffer[$0..<($0 + 4)].elementsEqual(separator) }) else { return nil }
        let header = String(decoding: buffer[..<end], as: UTF8.self)
        let length = header.split(separator: "\r\n").compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        let start = end + 4
        guard buffer.count >= start + length else { return nil }
        let body = Array(buffer[start..<(start + length)])
        buffer.removeFirst(start + length)
        return body
    }
}
