// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// What the three services share about the pipeline: the contract, the AWS adapters of its seams,
/// the HTTP service kit, test support and `pipeline-setup`.
let package = Package(
    name: "Pipeline",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "PipelineContract", targets: ["PipelineContract"]),
        .library(name: "PipelineSettings", targets: ["PipelineSettings"]),
        .library(name: "PipelineAWS", targets: ["PipelineAWS"]),
        .library(name: "PipelineService", targets: ["PipelineService"]),
        .library(name: "PipelineConcurrency", targets: ["PipelineConcurrency"]),
        .library(name: "PipelineTestSupport", targets: ["PipelineTestSupport"]),
        .library(name: "PipelineIdentity", targets: ["PipelineIdentity"]),
        .executable(name: "pipeline-setup", targets: ["PipelineSetup"]),
    ],
    // This package and the three services declare this same list (a service adds Pipeline by
    // path), so that they resolve to one dependency graph: SwiftPM prunes the checkouts a root
    // package does not declare, and the shared scratch folder would then rebuild them from scratch.
    dependencies: [
        .package(path: "../AWSClient"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
    ],
    targets: [
        /// The contract: messages, keys, limits, the PNG header, the store and queue seams with
        /// their own errors. No AWS inside.
        .target(
            name: "PipelineContract",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        /// The concurrency primitives the services share (gates, slots, lingering batches, time
        /// limits...), each in its own file with its own test; time comes from a `Clock`.
        .target(
            name: "PipelineConcurrency",
            swiftSettings: swiftSettings
        ),
        /// Every configuration variable: the reader and its error, the AWS variables, the shared
        /// part, the limits and each service's own part. Adding a variable starts here.
        .target(
            name: "PipelineSettings",
            dependencies: [
                "PipelineContract",
                .product(name: "AWSClient", package: "AWSClient"),
                .product(name: "AWSSigV4", package: "AWSClient"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The seams on S3, SQS and DynamoDB, the clients, resource setup.
        .target(
            name: "PipelineAWS",
            dependencies: [
                "PipelineContract", "PipelineSettings",
                .product(name: "AWSClient", package: "AWSClient"),
                .product(name: "AWSDynamoDB", package: "AWSClient"),
                .product(name: "AWSS3", package: "AWSClient"),
                .product(name: "AWSSQS", package: "AWSClient"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The HTTP service kit: request context, JSON errors, CORS, health, readiness and metrics
        /// routes, configuration and logging at start, the lifecycle.
        .target(
            name: "PipelineService",
            dependencies: [
                "PipelineContract", "PipelineAWS", "PipelineConcurrency", "PipelineIdentity", "PipelineSettings",
                .product(name: "AWSClient", package: "AWSClient"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        /// For the services' tests: in-memory fakes of the seams, the test PNG encoder, a pipeline
        /// of one's own on the emulator.
        .target(
            name: "PipelineTestSupport",
            dependencies: [
                "PipelineContract", "PipelineAWS", "PipelineIdentity", "PipelineSettings",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AWSClient", package: "AWSClient"),
                .product(name: "AWSTestSupport", package: "AWSClient"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Who is asking: identities from the load balancer's signed header and from bearer tokens,
        /// verified with jwt-kit (keys fetched by `kid` and cached).
        .target(
            name: "PipelineIdentity",
            dependencies: [
                "PipelineContract",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PipelineIdentityTests",
            dependencies: ["PipelineIdentity", "PipelineTestSupport", .product(name: "JWTKit", package: "jwt-kit")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "PipelineSetup",
            dependencies: [
                "PipelineAWS", "PipelineService", "PipelineSettings",
                .product(name: "AWSClient", package: "AWSClient"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PipelineContractTests",
            dependencies: [
                "PipelineContract", "PipelineAWS", "PipelineService", "PipelineTestSupport",
                .product(name: "AWSClient", package: "AWSClient"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PipelineSettingsTests",
            dependencies: [
                "PipelineContract", "PipelineSettings",
                .product(name: "AWSClient", package: "AWSClient"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PipelineServiceTests",
            dependencies: [
                "PipelineAWS", "PipelineConcurrency", "PipelineContract", "PipelineIdentity", "PipelineService", "PipelineSettings",
                "PipelineTestSupport",
                .product(name: "AWSClient", package: "AWSClient"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PipelineTestSupportTests",
            dependencies: [
                "PipelineConcurrency", "PipelineContract", "PipelineTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PipelineConcurrencyTests",
            dependencies: ["PipelineConcurrency", "PipelineTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PipelineAWSTests",
            dependencies: [
                "PipelineContract", "PipelineAWS", "PipelineSettings", "PipelineTestSupport",
                .product(name: "AWSClient", package: "AWSClient"),
                .product(name: "AWSDynamoDB", package: "AWSClient"),
                .product(name: "AWSS3", package: "AWSClient"),
                .product(name: "AWSSQS", package: "AWSClient"),
                .product(name: "AWSTestSupport", package: "AWSClient"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
