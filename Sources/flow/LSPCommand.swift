import Foundation
import FlowCore

/// `flow lsp`: the language server on standard input and output, framed as the Language Server
/// Protocol frames JSON-RPC (`LanguageServerFraming`). The messages themselves are FlowCore's
/// `LanguageServer`; this reads, writes and exits.
enum LSPCommand {
    static func main(_ arguments: ParsedArguments) -> Int32 {
        var server = LanguageServer()
        var buffer: [UInt8] = []
        while true {
            // Input closed without `exit`: the editor went away.
            guard let body = LanguageServerFraming.next(&buffer, from: .standardInput) else { return 1 }
            guard let message = try? JSON.parse(String(decoding: body, as: UTF8.self)) else {
                write(.object([("jsonrpc", .string("2.0")), ("id", .null),
                               ("error", .object([("code", .int(-32700)), ("message", .string("the message is not JSON"))]))]))
                continue
            }
            let (send, exit) = server.handle(message)
            for reply in send { write(reply) }
            if let exit { return exit }
        }
    }

    static func write(_ message: JSON) {
        FileHandle.standardOutput.write(LanguageServerFraming.frame(message))
    }
}
