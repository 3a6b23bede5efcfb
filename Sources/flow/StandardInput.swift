import Foundation
import FlowCore

/// `user: {ask: …}` turns from standard input, a terminal or a pipe. The prompt goes to standard
/// error so standard output stays the workflow's answers.
struct StandardInput: InputSource {
    func readLine(prompt: String) async -> String? {
        Terminal.err(prompt)
        return Swift.readLine(strippingNewline: true)
    }
}
