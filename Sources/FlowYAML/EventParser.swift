internal import CYAML
import FlowSource

/// Owns one `yaml_parser_t` and the input bytes it reads; frees both when released.
/// The only code in flow that touches libyaml.
final class EventParser {
    private var parser = yaml_parser_t()
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private let bytes: [UInt8]

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // libyaml keeps a pointer to its input for the parser's whole life, so it gets a copy
        // whose lifetime this object controls.
        buffer = .allocate(capacity: max(bytes.count, 1))
        _ = buffer.initialize(from: bytes)
        yaml_parser_initialize(&parser)
        yaml_parser_set_input_string(&parser, buffer.baseAddress, bytes.count)
    }

    deinit {
        yaml_parser_delete(&parser)
        buffer.deallocate()
    }

    func next() throws(ParserFailure) -> Event {
        var event = yaml_event_t()
        guard yaml_parser_parse(&parser, &event) == 1 else { throw failure() }
        defer { yaml_event_delete(&event) }
        let mark = Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_STREAM_START_EVENT:
            return .streamStart
        case YAML_STREAM_END_EVENT:
            return .streamEnd
        case YAML_DOCUMENT_START_EVENT:
            return .documentStart(mark)
        case YAML_DOCUMENT_END_EVENT:
            return .documentEnd
        case YAML_ALIAS_EVENT:
            return .alias(anchor: string(event.data.alias.anchor) ?? "", mark)
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let text = data.value.map { pointer in
                String(decoding: UnsafeBufferPointer(start: pointer, count: data.length), as: UTF8.self)
            } ?? ""
            return .scalar(Scalar(text: text, style: style(data.style)), anchor: string(data.anchor),
                           tag: string(data.tag), mark)
        case YAML_SEQUENCE_START_EVENT:
            let data = event.data.sequence_start
            return .sequenceStart(anchor: string(data.anchor), tag: string(data.tag),
                                  style: data.style == YAML_FLOW_SEQUENCE_STYLE ? .flow : .block, mark)
        case YAML_SEQUENCE_END_EVENT:
            return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let data = event.data.mapping_start
            return .mappingStart(anchor: string(data.anchor), tag: string(data.tag),
                                 style: data.style == YAML_FLOW_MAPPING_STYLE ? .flow : .block, mark)
        case YAML_MAPPING_END_EVENT:
            return .mappingEnd
        default:
            throw ParserFailure(message: "unexpected parser event", mark: mark)
        }
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    private func style(_ style: yaml_scalar_style_t) -> ScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }

    /// libyaml's error as a message and a 1-based mark. Reader errors (bad encoding) carry only a
    /// byte offset, so their mark is computed from the input.
    private func failure() -> ParserFailure {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
        if parser.error == YAML_READER_ERROR {
            var message = problem
            if parser.problem_value >= 0, problem.contains("octet") || problem.contains("character") {
                let hex = String(parser.problem_value, radix: 16, uppercase: true)
                message += " (byte 0x\(hex.count < 2 ? "0" + hex : hex))"
            }
            return ParserFailure(message: message, mark: mark(atByteOffset: parser.problem_offset))
        }
        var message = problem
        let context = parser.context.map { String(cString: $0) }
        var contextMark: Mark?
        if let context {
            contextMark = Mark(line: Int(parser.context_mark.line) + 1, column: Int(parser.context_mark.column) + 1)
            message += " (\(context) at \(contextMark!))"
        }
        let mark = Mark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        return ParserFailure(message: message, mark: mark, problem: problem, context: context, contextMark: contextMark)
    }

    private func mark(atByteOffset offset: Int) -> Mark {
        let end = min(offset, bytes.count)
        var line = 1
        var lineStart = 0
        for index in 0..<end where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        // Count characters, not bytes: skip UTF-8 continuation bytes.
        let column = bytes[lineStart..<end].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
        return Mark(line: line, column: column)
    }
}
