// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// The project's own AWS client (there is no AWS SDK for Swift here): SigV4, transport, S3, SQS.
/// Nothing in it knows about the pipeline; `shared/Pipeline` builds on it.
let package = Package(
    name: "AWSClient",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AWSSigV4", targets: ["AWSSigV4"]),
        .library(name: "AWSClient", targets: ["AWSClient"]),
        .library(name: "AWSS3", targets: ["AWSS3"]),
        .library(name: "AWSSQS", targets: ["AWSSQS"]),
        .library(name: "AWSDynamoDB", targets: ["AWSDynamoDB"]),
        .library(name: "AWSTestSupport", targets: ["AWSTestSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
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
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AWSS3", dependencies: ["AWSClient", "AWSSigV4", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: swiftSettings
        ),
        .target(name: "AWSSQS", dependencies: ["AWSClient", "AWSSigV4"], swiftSettings: swiftSettings),
        /// DynamoDB and DynamoDB Streams, on their JSON protocol.
        .target(name: "AWSDynamoDB", dependencies: ["AWSClient", "AWSSigV4"], swiftSettings: swiftSettings),
        /// For tests: the emulator's settings, unique names, the repository's test data.
        .target(name: "AWSTestSupport", dependencies: ["AWSClient", "AWSSigV4"], swiftSettings: swiftSettings),
        .testTarget(name: "AWSSigV4Tests", dependencies: ["AWSSigV4", "AWSTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "AWSClientTests",
            dependencies: [
                "AWSClient", "AWSDynamoDB", "AWSS3", "AWSSQS", "AWSSigV4", "AWSTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AWSIntegrationTests",
            dependencies: ["AWSSigV4", "AWSClient", "AWSDynamoDB", "AWSS3", "AWSSQS", "AWSTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
