// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "smsbot",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "smsbot", targets: ["smsbot"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(
            url: "https://github.com/apple/swift-configuration.git", from: "1.4.0",
            traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // Already in the graph through Hummingbird; named so header names (HTTPField) can be imported.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Already in the graph through Hummingbird and AsyncHTTPClient; named for ByteBuffer and HTTP types.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Already in the graph through Hummingbird; named for HTTPRequestPart in the request-deadline handler.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // Already in the graph through PostgresNIO; named for the TLS settings of sslmode.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // The /api/v1 routes are generated from Sources/SMSBotAPI/openapi.json (spec first), so
        // the document served is the one the server is built from.
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
    ],
    targets: [
        .target(
            name: "SMSBotCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto")
            ],
            swiftSettings: swiftSettings
        ),
        // Templates and demo data compiled into the executable (SwiftPM embeds each file as
        // bytes), so the binary runs from any folder. `sms`, `portal` and `demo-policies.json` in
        // its folder are symbolic links to the top-level Templates/ and Config/ files.
        .target(
            name: "SMSBotResources",
            resources: [
                .embedInCode("sms"), .embedInCode("portal"), .embedInCode("demo-policies.json"), .embedInCode("openapi.json"),
            ],
            swiftSettings: swiftSettings
        ),
        // The types and server stubs of the /api/v1 routes, generated at build time from
        // openapi.json by swift-openapi-generator.
        .target(
            name: "SMSBotAPI",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")
            ],
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        .target(
            name: "TwilioKit",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The store contract: one small protocol per concern, and the types they exchange.
        .target(
            name: "SMSBotStorage",
            dependencies: [
                "SMSBotCore",
                "TwilioKit",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The embedded store: SQLite through GRDB (group commit, WAL checkpointer).
        .target(
            name: "SMSBotSQLite",
            dependencies: [
                "SMSBotStorage",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The store for several instances: PostgreSQL through PostgresNIO (row locks, SKIP LOCKED).
        .target(
            name: "SMSBotPostgres",
            dependencies: [
                "SMSBotStorage",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SMSBotApp",
            dependencies: [
                "SMSBotCore",
                "SMSBotResources",
                "SMSBotStorage",
                "SMSBotSQLite",
                "SMSBotPostgres",
                "SMSBotAPI",
                "TwilioKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "smsbot",
            dependencies: [
                "SMSBotApp",
                "SMSBotCore",
                "SMSBotStorage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "smsbot-baseline",
            dependencies: [
                "TwilioKit",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Benchmarks/Baseline",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "smsbot-load",
            dependencies: [
                "TwilioKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/LoadGenerator",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "SMSBotCore",
                "SMSBotStorage",
                "SMSBotSQLite",
                "SMSBotPostgres",
                "TwilioKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport",
            exclude: ["Fixtures/README.md"],
            resources: [
                .embedInCode("Fixtures/twilio-signature-vectors.json"),
                .embedInCode("Fixtures/twilio-library-signature-vectors.json"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SMSBotCoreTests",
            dependencies: ["SMSBotCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TwilioKitTests",
            dependencies: [
                "TwilioKit", "SMSBotCore", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SMSBotSQLiteTests",
            dependencies: [
                "SMSBotSQLite", "SMSBotStorage", "SMSBotCore", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SMSBotPostgresTests",
            dependencies: [
                "SMSBotPostgres", "SMSBotStorage", "SMSBotCore", "TestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SMSBotAppTests",
            dependencies: [
                "SMSBotApp",
                "SMSBotCore",
                "SMSBotStorage",
                "SMSBotSQLite",
                "SMSBotPostgres",
                "TwilioKit",
                "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
