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
        .library(name: "PipelineTestSupport", targets: ["PipelineTestSupport"]),
        .executable(name: "pipeline-setup", targets: ["PipelineSetup"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
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
        /// In-memory fakes of the store and queue seams, for the services' unit tests.
        .target(name: "PipelineTestSupport", dependencies: ["PipelineContract"], swiftSettings: swiftSettings),
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
