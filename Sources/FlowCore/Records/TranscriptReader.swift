import Foundation

/// Reads a transcript back. A last line cut off mid-write (a killed run) is skipped, not an error.
public enum TranscriptReader {
    /// A transcript's events, in order.
    public struct Transcript: Sendable {
        /// The file it was read from.
        public var path: String
        /// Every event, parsed.
        public var events: [JSON]
        /// True when the last line was incomplete and left out.
        public var truncated: Bool

        /// The first event of `type`.
        public func first(_ type: EventType) -> JSON? { events.first { EventType(of: $0) == type } }
        /// Every event of `type`, in order.
        public func all(_ type: EventType) -> [JSON] { events.filter { EventType(of: $0) == type } }
    }

    /// A transcript that cannot be read.
    public struct ReadError: Error, CustomStringConvertible {
        /// `path: error: …`.
        public var description: String
        /// An error saying `description`.
        public init(description: String) { self.description = description }
    }

    /// Reads `path`; a cut-off last line (a killed run) is left out and marked, not an error.
    public static func read(_ path: String) throws -> Transcript {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadError(description: "\(path): error: transcript cannot be read")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// Pure: the events of a transcript's text.
    public static func parse(_ text: String, path: String) throws -> Transcript {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        var events: [JSON] = []
        var truncated = false
        for (index, line) in lines.enumerated() {
            do {
                events.append(try JSON.parse(String(line)))
            } catch {
                // Only the last line may be partial: anything earlier is a damaged file.
                guard index == lines.count - 1, !text.hasSuffix("\n") else {
                    throw ReadError(description: "\(path):\(index + 1): error: not a transcript line (\(error))")
                }
                truncated = true
            }
        }
        return Transcript(path: path, events: events, truncated: truncated)
    }
}
