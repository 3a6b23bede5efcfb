// swift-tools-version:6.0
// An app that ships a workflow and runs it with FlowKit. A real app depends on flow by version:
//     .package(url: "https://github.com/<owner>/flow.git", from: "0.2.0")
// This example points at the checkout it lives in, so `make test` builds it against this tree.
import PackageDescription

let package = Package(
    name: "Greeter",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "flow", path: "../..")],
    targets: [
        .executableTarget(
            name: "Greeter",
            dependencies: [.product(name: "FlowKit", package: "flow")],
            resources: [.copy("flows")]
        ),
    ]
)
