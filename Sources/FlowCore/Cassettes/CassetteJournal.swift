/// What a recording run has added to a cassette since the file was last written, one JSON line
/// per answer or tool result, appended as each comes: recording costs one append per answer
/// instead of rewriting the whole cassette (which made recording quadratic), and a run killed
/// at any moment leaves every answer it paid for on disk. The next compaction (at the end of the
/// run, or when a cassette is next opened) lays the journal over the file, later lines winning.
/// Pure: the lines and how they apply; `CassetteFile` does the appending and compacting.
public enum CassetteJournal {
    /// The journal beside a cassette: `.<name>.journal`, hidden like the temporaries.
    public static func path(of cassette: String) -> String {
        guard let slash = cassette.lastIndex(of: "/") else { return "." + cassette + ".journal" }
        return String(cassette[...slash]) + "." + cassette[cassette.index(after: slash)...] + ".journal"
    }

    /// The journal line for a recorded answer, newline included.
    static func line(_ interaction: Cassette.Interaction) -> String {
        JSON.object([("interaction", Cassette.encode(interaction))]).serialized + "\n"
    }

    /// The journal line for a recorded tool result, newline included.
    static func line(_ tool: Cassette.ToolInteraction) -> String {
        JSON.object([("tool_result", Cassette.encode(tool))]).serialized + "\n"
    }

    /// Applies a journal's lines to `cassette` in order and returns how many applied. A last
    /// line without its newline is a write cut short and is skipped; any other line that does
    /// not read is an error naming its number.
    static func apply(_ bytes: [UInt8], to cassette: inout Cassette) throws -> Int {
        var applied = 0, number = 0, start = 0
        while start < bytes.count {
            guard let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            number += 1
            defer { start = end + 1 }
            guard end > start else { continue }
            let entry: JSON
            do {
                entry = try JSON.parse(Array(bytes[start..<end]))
            } catch {
                throw CassetteError(message: "journal line \(number) is not JSON (\(error))")
            }
            if let item = entry["interaction"] {
                cassette.record(try Cassette.interaction(item))
            } else if let item = entry["tool_result"] {
                cassette.record(tool: try Cassette.tool(item))
            } else {
                throw CassetteError(message: "journal line \(number) is neither an interaction nor a tool result")
            }
            applied += 1
        }
        return applied
    }
}
