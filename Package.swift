// swift-tools-version:6.0
// Re4 toolkit: multi-interest recommendation (ComiRec + Re4) with a pure-Swift t-SNE
// and a Cairo plotting layer. See README.md for the two set-up commands.
import PackageDescription

let release: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
// The t-SNE is optimised in debug builds too: its SIMD kernels are hundreds of
// times slower unoptimised, and the tests then check the code users run.
let alwaysOptimised: [SwiftSetting] = release + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "re4",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "re4", targets: ["re4"]),
        .executable(name: "re4-viz", targets: ["re4-viz"]),
        .library(name: "Re4Core", targets: ["Re4Core"]),
        .library(name: "TSNE", targets: ["TSNE"]),
        .library(name: "Plot", targets: ["Plot"]),
        .library(name: "Re4Viz", targets: ["Re4Viz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CCairo", pkgConfig: "cairo",
            providers: [.apt(["libcairo2-dev", "libpng-dev", "fonts-dejavu-core"])]),
        .systemLibrary(
            name: "COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        // Paired tests and bootstraps, and the toolkit's seeded generator they draw from: no dependencies.
        .target(name: "PairedStats", swiftSettings: release),
        .target(
            name: "Re4Core",
            dependencies: ["PairedStats", "COpenBLAS", "CKernels", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: release),
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O2", "-fno-math-errno"])]),
        .target(name: "TSNE", dependencies: ["CKernels", .product(name: "RealModule", package: "swift-numerics")], swiftSettings: alwaysOptimised),
        .target(name: "Plot", dependencies: ["CCairo"], swiftSettings: release),
        // The explorer's viewer (explorer.js, explorer.css) is compiled into the binary and inlined into each page.
        .target(name: "Re4Viz", dependencies: ["Re4Core", "PairedStats", "TSNE", "Plot"],
                resources: [.embedInCode("Explorer/explorer.js"), .embedInCode("Explorer/explorer.css")], swiftSettings: release),
        // What both command lines share: option groups, option enums, the error exit.
        .target(
            name: "Re4CLI",
            dependencies: ["Re4Core", "TSNE", "Plot", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "re4", dependencies: ["Re4Core", "Re4CLI"]),
        .executableTarget(name: "re4-viz", dependencies: ["Re4Viz", "Re4Core", "Re4CLI"]),
        // The readers' fuzz entries (Re4Core.FuzzEntries): libFuzzer's driver under `make fuzz`, a corpus replay otherwise.
        .executableTarget(name: "re4-fuzz", dependencies: ["Re4Core"]),
        // Helpers every test target uses: temporary folders, files, the executables.
        .target(name: "TestSupport", dependencies: [], path: "Tests/TestSupport"),
        .testTarget(name: "Re4CoreTests", dependencies: ["Re4Core", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "PairedStatsTests", dependencies: ["PairedStats", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "Re4CLITests", dependencies: ["Re4CLI", "Re4Core", "Re4Viz", "re4", "re4-viz", "re4-fuzz", "TestSupport"]),
        .testTarget(name: "TSNETests", dependencies: ["TSNE", "CKernels", "TestSupport"]),
        .testTarget(name: "PlotTests", dependencies: ["Plot", "TestSupport"], exclude: ["Golden"]),
        .testTarget(name: "Re4VizTests", dependencies: ["Re4Viz", "Re4Core", "Plot", "TestSupport"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
