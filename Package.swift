// swift-tools-version:6.0
// flow: a declarative prompt-workflow runner. No package dependencies by design:
// only the toolchain and libyaml (Debian's libyaml-dev) through a system library target.
import PackageDescription

let package = Package(
    name: "flow",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "flow", targets: ["flow"]),
        .library(name: "FlowSource", targets: ["FlowSource"]),
        .library(name: "FlowYAML", targets: ["FlowYAML"]),
        .library(name: "FlowTemplate", targets: ["FlowTemplate"]),
        .library(name: "FlowCore", targets: ["FlowCore"]),
        // The surface apps depend on by version (docs/library.md); FlowCore behind it may change.
        .library(name: "FlowKit", targets: ["FlowKit"]),
        .library(name: "FlowTestSupport", targets: ["FlowTestSupport"]),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
        ),
        // Marks, source files and compiler-style diagnostics shared by every parser.
        .target(name: "FlowSource"),
        // libyaml events to a Node tree with 1-based marks; the only module that sees C.
        .target(name: "FlowYAML", dependencies: ["CYAML", "FlowSource"]),
        .target(name: "FlowTemplate", dependencies: ["FlowSource"]),
        // Workflow model and decoder, chat types, provider adapters, transport, interpreter, recorder.
        .target(name: "FlowCore", dependencies: ["FlowYAML", "FlowTemplate", "FlowSource"]),
        // Load a workflow, run it with typed inputs, stream, cancel; the stable API for apps.
        .target(name: "FlowKit", dependencies: ["FlowCore", "FlowSource", "FlowTemplate"]),
        // The build's commit, and libcurl loaded on first use rather than at start-up (C: dlopen).
        .target(name: "CFlowPlatform"),
        .executableTarget(name: "flow", dependencies: ["FlowCore", "FlowSource", "FlowTemplate", "CFlowPlatform"]),
        // Measures throughput and start-up; `make bench` runs it in release mode. Not a test.
        // Built like the installed flow (libcurl loaded on first use), hence CFlowPlatform.
        .executableTarget(name: "flow-bench", dependencies: ["FlowCore", "FlowSource", "FlowTemplate", "FlowYAML", "FlowTestSupport", "CFlowPlatform"]),
        // libFuzzer targets for every parser (make fuzz); FLOW_FUZZ_TARGET picks one.
        .executableTarget(name: "flow-fuzz", dependencies: ["FlowCore", "FlowSource", "FlowTemplate", "FlowYAML"]),
        // Loopback HTTP stub server for transport and end-to-end tests.
        .target(name: "FlowTestSupport", dependencies: ["FlowCore"]),
        .testTarget(name: "FlowYAMLTests", dependencies: ["FlowYAML"]),
        .testTarget(name: "FlowTemplateTests", dependencies: ["FlowTemplate", "FlowCore", "FlowTestSupport"]),
        .testTarget(name: "FlowCoreTests", dependencies: ["FlowCore", "FlowTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "FlowCLITests", dependencies: ["FlowCore", "FlowTestSupport"], exclude: ["ImportFixtures", "Python"]),
        .testTarget(name: "FlowKitTests", dependencies: ["FlowKit", "FlowTestSupport"]),
    ]
)

// Warnings are errors in `make test` and CI, set on the command line there (STRICT in the
// Makefile): `unsafeFlags` here would stop any other package from depending on flow's libraries
// by version.
