import FlowKit
import Foundation

// Load the bundled workflow, run it with a typed input, and use what comes back.
let person = CommandLine.arguments.dropFirst().first ?? "Ada"
do {
    let workflow = try FlowWorkflow.load(resource: "greet", in: .module, subdirectory: "flows")
    let runner = FlowRunner()
    let result = try await runner.run(workflow, inputs: ["person": .string(person)])
    let topic = result.step("topic")?.value?["topic"]?.string ?? "?"
    print("topic: \(topic)")
    print("output: \(result.output ?? "")")
    print("path: \(result.path.joined(separator: " -> ")), tokens: \(result.inputTokens + result.outputTokens)")

    // The same run, streamed.
    var pieces = 0
    for try await event in runner.stream(workflow, inputs: ["person": .string(person)]) {
        if case .step = event { pieces += 1 }
    }
    print("streamed steps: \(pieces)")
} catch let error as FlowError {
    FileHandle.standardError.write(Data("greeter: \(error.kind.rawValue): \(error.message)\n".utf8))
    exit(1)
}
