// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "upload-api",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "upload-api", targets: ["UploadAPI"]),
    ],
    // shared/Pipeline and the three services declare this same list (a service adds the two
    // shared packages by path), so that they resolve to one dependency graph: SwiftPM prunes the
    // checkouts a root package does not declare, and the shared scratch folder would then
    // rebuild them from scratch.
    dependencies: [
        .package(path: "../../shared/AWSClient"),
        .package(path: "../../shared/Pipeline"),
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
        /// glibc's allocator tuned for streamed uploads, and memmem (both C only).
        .target(name: "CMemory"),
        .executableTarget(
            name: "UploadAPI",
            dependencies: [
                "CMemory",
                .product(name: "AWSClient", package: "AWSClient"),
                .product(name: "PipelineConcurrency", package: "Pipeline"),
                .product(name: "PipelineContract", package: "Pipeline"),
                .product(name: "PipelineIdentity", package: "Pipeline"),
                .product(name: "PipelineService", package: "Pipeline"),
                .product(name: "PipelineSettings", package: "Pipeline"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "UploadAPITests",
            dependencies: [
                "UploadAPI",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "PipelineIdentity", package: "Pipeline"),
                .product(name: "PipelineService", package: "Pipeline"),
                .product(name: "PipelineTestSupport", package: "Pipeline"),
                .product(name: "PipelineSettings", package: "Pipeline"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
