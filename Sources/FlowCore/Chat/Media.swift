/// An image or a document in a user turn: the bytes of a project file (with their media type,
/// read from the bytes, and their sha256), or a URL the provider fetches.
public struct Media: Sendable, Equatable {
    /// What the part is to the provider: an image block or a document (PDF) block.
    public enum Kind: String, Sendable {
        case image, document
    }

    /// Image or document.
    public var kind: Kind
    /// `image/png`, `image/jpeg`, `image/gif`, `image/webp` or `application/pdf`; nil for a URL.
    public var mediaType: String?
    /// The file's bytes; empty for a URL (and in preflight stand-ins, which keep only `size`).
    public var data: [UInt8]
    /// The file's size in bytes.
    public var size: Int
    /// The path as the workflow names it (relative to the workflow file), for records (which keep the path and sha256, not the bytes).
    public var path: String?
    /// sha256 of the bytes, so a changed file is a different request (a cassette miss).
    public var sha256: String?
    /// An `https://` URL the provider fetches itself.
    public var url: String?
    /// OpenAI's image detail: `low`, `high` or `auto`.
    public var detail: String?

    /// A project file's bytes.
    public init(kind: Kind, mediaType: String, data: [UInt8], path: String, detail: String? = nil) {
        self.kind = kind
        self.mediaType = mediaType
        self.data = data
        size = data.count
        self.path = path
        sha256 = SHA256.hex(data)
        self.detail = detail
    }

    /// A URL the provider fetches.
    public init(kind: Kind, url: String, detail: String? = nil) {
        self.kind = kind
        self.url = url
        data = []
        size = 0
        self.detail = detail
    }

    /// The same part without its bytes, for preflight checks of size and type.
    var standIn: Media {
        var copy = self
        copy.data = []
        return copy
    }

    /// How transcripts and cassettes record it: path and digest, never the bytes.
    var record: JSON {
        .object(omittingNil: [("type", .string(kind.rawValue)), ("path", path.map(JSON.string)), ("url", url.map(JSON.string)),
                              ("media_type", mediaType.map(JSON.string)), ("sha256", sha256.map(JSON.string)),
                              ("bytes", url == nil ? .int(size) : nil), ("detail", detail.map(JSON.string))])
    }

    /// The media type the bytes say they are (magic numbers, not the file's extension); nil when
    /// they are none flow sends.
    public static func sniff(_ bytes: [UInt8]) -> String? {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<(offset + prefix.count)]) == prefix
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "image/gif" }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) { return "image/webp" }
        if starts(Array("%PDF-".utf8)) { return "application/pdf" }
        return nil
    }

    /// Every image and document in `messages`.
    static func all(in messages: [ChatMessage]) -> [Media] {
        messages.flatMap(\.parts).compactMap { if case .media(let media) = $0 { media } else { nil } }
    }

    /// "3.2 MB", for limits in messages.
    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + (1 << 19)) >> 20
        return "\(tenths / 10).\(tenths % 10) MB"
    }

    /// The refusal for a part over `limit` bytes.
    func overLimit(_ limit: Int, provider: String) -> ProviderError? {
        guard size > limit else { return nil }
        return ProviderError(.configuration, "'\(path ?? "?")' is \(Media.megabytes(size)); \(provider) takes \(kind == .image ? "an image" : "a document") of at most \(Media.megabytes(limit))")
    }

    /// `data:<type>;base64,<bytes>`, as OpenAI takes inline images and files.
    var dataURL: String { "data:\(mediaType ?? "application/octet-stream");base64,\(Base64.encode(data))" }
}

/// One part of a user turn that mixes text with images or documents, in the order written.
public enum MessagePart: Sendable, Equatable {
    case text(String)
    case media(Media)
}

/// Standard base64 (RFC 4648, with padding): Foundation's would do, but adapters stay free of it.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let a = bytes[index], b = index + 1 < bytes.count ? bytes[index + 1] : 0, c = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(a >> 2)])
            out.append(alphabet[Int((a & 0x03) << 4 | b >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((b & 0x0F) << 2 | c >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(c & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension ChatMessage {
    /// This message's images and documents as records keep them: path, type, size, digest.
    public var mediaRecords: [JSON] { Media.all(in: [self]).map(\.record) }

    /// Each image and document in a line a reviewer reads: `image media/x.png (image/png, 1234 bytes)`.
    public var mediaLines: [String] { mediaRecords.map(Media.line) }
}

extension Media {
    /// An image or document as its record reads: `image media/x.png (image/png, 79 bytes, detail low)`,
    /// for `flow render` from the part and `flow show` from the transcript alike.
    static func line(_ record: JSON) -> String {
        let facts = [record["media_type"]?.string, record["bytes"]?.int.map { "\($0) bytes" }, record["detail"]?.string.map { "detail \($0)" }]
            .compactMap { $0 }
        return "\(record["type"]?.string ?? "media") \(record["path"]?.string ?? record["url"]?.string ?? "?")"
            + (facts.isEmpty ? "" : " (\(facts.joined(separator: ", ")))")
    }

    /// `json` with every image's and document's base64 (whole, or inside a `data:` URL) replaced
    /// by what the records promise instead: `[image/png, 1234 bytes, sha256 ab12…, media/x.png]`.
    static func withoutBytes(_ json: JSON, media: [Media]) -> JSON {
        let encoded = media.filter { !$0.data.isEmpty }.map { part in
            (Base64.encode(part.data), "[\(part.mediaType ?? part.kind.rawValue), \(part.size) bytes"
                + (part.sha256.map { ", sha256 \($0.prefix(12))…" } ?? "") + (part.path.map { ", \($0)" } ?? "") + "]")
        }
        guard !encoded.isEmpty else { return json }
        func strip(_ node: JSON) -> JSON {
            switch node {
            case .string(let text):
                var text = text
                for (bytes, stand) in encoded where text.contains(bytes) { text = text.replacingOccurrences(of: bytes, with: stand) }
                return .string(text)
            case .array(let items): return .array(items.map(strip))
            case .object(let pairs): return .object(pairs.map { ($0.0, strip($0.1)) })
            default: return node
            }
        }
        return strip(json)
    }
}
