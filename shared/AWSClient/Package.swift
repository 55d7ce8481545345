// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "AWSClient",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AWSSigV4", targets: ["AWSSigV4"]),
        .library(name: "AWSClient", targets: ["AWSClient"]),
        .library(name: "AWSS3", targets: ["AWSS3"]),
        .library(name: "AWSSQS", targets: ["AWSSQS"]),
        .library(name: "PipelineContract", targets: ["PipelineContract"]),
        .library(name: "PipelineService", targets: ["PipelineService"]),
        .library(name: "PipelineTestSupport", targets: ["PipelineTestSupport"]),
        .executable(name: "pipeline-setup", targets: ["PipelineSetup"]),
    ],
    // Every package of the repository declares this same list (a service adds AWSClient by path),
    // so that they all resolve to one dependency graph: SwiftPM prunes the checkouts a root
    // package does not declare, and a shared scratch folder would then rebuild them from scratch.
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
    ],
    targets: [
        /// Signature Version 4: canonical requests, header and presigned-query signing.
        .target(
            name: "AWSSigV4",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        /// Generic AWS plumbing: configuration, transport, errors, retries, XML.
        .target(
            name: "AWSClient",
            dependencies: [
                "AWSSigV4",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "AWSS3", dependencies: ["AWSClient", "AWSSigV4"], swiftSettings: swiftSettings),
        .target(name: "AWSSQS", dependencies: ["AWSClient", "AWSSigV4"], swiftSettings: swiftSettings),
        /// The pipeline's own contract: messages, keys, environment, resources, store and queue seams.
        .target(
            name: "PipelineContract",
            dependencies: ["AWSClient", "AWSS3", "AWSSQS"],
            swiftSettings: swiftSettings
        ),
        /// What every service's HTTP side shares: request context, JSON errors, CORS, health,
        /// readiness and metrics routes, start-up of configuration and logging.
        .target(
            name: "PipelineService",
            dependencies: [
                "PipelineContract",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        /// In-memory fakes of the store and queue seams, for the services' unit tests.
        .target(
            name: "PipelineTestSupport",
            dependencies: ["PipelineContract", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "PipelineSetup", dependencies: ["PipelineContract"], swiftSettings: swiftSettings),
        .testTarget(name: "AWSSigV4Tests", dependencies: ["AWSSigV4", "PipelineTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "AWSClientTests",
            dependencies: [
                "AWSClient", "AWSS3", "AWSSQS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PipelineContractTests",
            dependencies: [
                "AWSClient", "PipelineContract", "PipelineTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AWSIntegrationTests",
            dependencies: ["AWSSigV4", "AWSClient", "AWSS3", "AWSSQS", "PipelineContract", "PipelineTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
