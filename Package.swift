// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Tollgate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tollgate", targets: ["tollgate"]),
        .library(name: "SIPCore", targets: ["SIPCore"]),
        .library(name: "TollgateShield", targets: ["TollgateShield"]),
        .library(name: "TollgateFraud", targets: ["TollgateFraud"]),
        .library(name: "TollgateGateway", targets: ["TollgateGateway"]),
        .library(name: "TollgateModel", targets: ["TollgateModel"]),
        .library(name: "TollgateStore", targets: ["TollgateStore"]),
        .library(name: "TollgateStoreSQLite", targets: ["TollgateStoreSQLite"]),
        .library(name: "TollgateStorePostgres", targets: ["TollgateStorePostgres"]),
        .library(name: "TollgateMedia", targets: ["TollgateMedia"]),
        .library(name: "TollgateIdentity", targets: ["TollgateIdentity"]),
        .library(name: "TollgateAudit", targets: ["TollgateAudit"]),
        .library(name: "TollgateConsole", targets: ["TollgateConsole"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .target(
            name: "SIPCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto")
            ]
        ),
        .target(name: "TollgateModel"),
        .target(
            name: "TollgateConfig",
            dependencies: [
                "TollgateModel",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "SIPTransport",
            dependencies: [
                "SIPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "TollgateShield",
            dependencies: [
                "SIPCore",
                "TollgateModel",
                "TollgateConfig",
            ],
            resources: [.copy("Resources/scanner-fingerprints.txt")]
        ),
        .target(
            name: "TollgateFraud",
            dependencies: [
                "SIPCore",
                "TollgateModel",
                "TollgateConfig",
            ],
            resources: [.copy("Resources/high-risk-prefixes.txt")]
        ),
        .target(
            name: "TollgateStore",
            dependencies: ["TollgateModel", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "TollgateStoreSQLite",
            dependencies: [
                "TollgateModel",
                "TollgateStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "TollgateStorePostgres",
            dependencies: [
                "TollgateModel",
                "TollgateStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(name: "CTollgateSRTP"),
        .target(name: "CTollgateMediaIO"),
        .target(
            name: "TollgateMedia",
            dependencies: [
                "CTollgateSRTP",
                "CTollgateMediaIO",
                "SIPCore",
                "SIPTransport",
                "TollgateModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "TollgateIdentity",
            dependencies: [
                "SIPCore",
                "TollgateModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "TollgateAudit",
            dependencies: [
                "SIPCore",
                "TollgateModel",
                "TollgateConfig",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            resources: [.copy("Resources/device-fingerprints.txt"), .copy("Resources/lifecycle.txt")]
        ),
        .target(
            name: "TollgateConsole",
            dependencies: [
                "TollgateModel",
                "TollgateConfig",
                "TollgateStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            resources: [.copy("Resources/common-passwords.txt"), .copy("Resources/templates"), .copy("Resources/static")]
        ),
        .target(
            name: "TollgateGateway",
            dependencies: [
                "SIPCore",
                "SIPTransport",
                "TollgateModel",
                "TollgateConfig",
                "TollgateShield",
                "TollgateFraud",
                "TollgateStore",
                "TollgateMedia",
                "TollgateIdentity",
                "TollgateAudit",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "tollgate",
            dependencies: [
                "SIPCore",
                "TollgateModel",
                "TollgateConfig",
                "TollgateGateway",
                "TollgateShield",
                "TollgateFraud",
                "TollgateStore",
                "TollgateStoreSQLite",
                "TollgateStorePostgres",
                "TollgateIdentity",
                "TollgateAudit",
                "TollgateConsole",
                "SIPTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What several test targets share (a seeded random generator); not a product.
        .target(
            name: "TollgateTestSupport",
            dependencies: [
                "TollgateIdentity",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "SIPCoreTests",
            dependencies: ["SIPCore", "TollgateTestSupport"]
        ),
        .testTarget(
            name: "TollgateModelTests",
            dependencies: ["TollgateModel"]
        ),
        .testTarget(
            name: "TollgateConfigTests",
            dependencies: ["TollgateConfig", "TollgateModel"]
        ),
        .testTarget(
            name: "TollgateShieldTests",
            dependencies: ["TollgateShield", "SIPCore", "TollgateConfig", "TollgateModel"]
        ),
        .testTarget(
            name: "TollgateFraudTests",
            dependencies: ["TollgateFraud", "TollgateConfig", "TollgateModel", "TollgateTestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "TollgateStoreTests",
            dependencies: ["TollgateStore", "TollgateStoreSQLite", "TollgateStorePostgres", "TollgateModel", "TollgateTestSupport",
                           .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "TollgateGatewayTests",
            dependencies: [
                "TollgateGateway", "TollgateMedia", "SIPCore", "TollgateModel", "TollgateStore", "TollgateStoreSQLite", "TollgateFraud",
                "TollgateIdentity", "TollgateTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "TollgateMediaTests",
            dependencies: ["TollgateMedia", "CTollgateSRTP", "SIPCore", "TollgateTestSupport", .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "CryptoExtras", package: "swift-crypto")],
            exclude: ["Scripts"]
        ),
        .testTarget(
            name: "TollgateIdentityTests",
            dependencies: [
                "TollgateIdentity", "TollgateTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "TollgateAuditTests",
            dependencies: ["TollgateAudit", "TollgateModel"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "TollgateConsoleTests",
            dependencies: [
                "TollgateConsole", "TollgateConfig", "TollgateModel", "TollgateStore", "TollgateStoreSQLite", "SIPTransport",
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "TollgateCLITests",
            dependencies: ["tollgate", "TollgateModel", "TollgateStore", "TollgateStoreSQLite", "TollgateFraud", "TollgateTestSupport", "TollgateConfig",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "TollgateIntegrationTests",
            dependencies: ["tollgate", "TollgateTestSupport"],
            exclude: ["Scenarios", "Scripts"]
        ),
    ]
)
