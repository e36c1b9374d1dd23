// swift-tools-version:6.1
// Benchmarks live in their own package so that the main build never compiles package-benchmark.
//   cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "TollgateBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Tollgate", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "SIPCoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SIPCore", package: "Tollgate"),
            ],
            path: "Benchmarks/SIPCoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ShieldBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SIPCore", package: "Tollgate"),
                .product(name: "TollgateShield", package: "Tollgate"),
            ],
            path: "Benchmarks/ShieldBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "MediaBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TollgateMedia", package: "Tollgate"),
            ],
            path: "Benchmarks/MediaBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "IdentityBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SIPCore", package: "Tollgate"),
                .product(name: "TollgateIdentity", package: "Tollgate"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Benchmarks/IdentityBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Not a package-benchmark target: a load generator that drives the media relay over loopback.
        .executableTarget(
            name: "MediaLoad",
            dependencies: [
                .product(name: "TollgateMedia", package: "Tollgate"),
                .product(name: "SIPCore", package: "Tollgate"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Load/MediaLoad"
        ),
        .executableTarget(
            name: "GatewayBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SIPCore", package: "Tollgate"),
                .product(name: "TollgateGateway", package: "Tollgate"),
                .product(name: "TollgateFraud", package: "Tollgate"),
                .product(name: "TollgateModel", package: "Tollgate"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Benchmarks/GatewayBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
