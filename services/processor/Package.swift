// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "processor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "processor", targets: ["Processor"]),
        .library(name: "ImageEngine", targets: ["ImageEngine"]),
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
        /// The C engine: its own zlib-exact inflate and SIMD row filters for the images it can vouch
        /// for, libpng for the others (libpng reports errors with longjmp, which Swift cannot catch),
        /// its own deflate for the output, ISA-L's CRC-32 and Adler-32, zlib's for small chunks.
        .target(
            name: "CImageEngine",
            linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("isal"), .linkedLibrary("z"), .linkedLibrary("m")]
        ),
        /// Decoding, OpenCV-exact binarization and encoding. No AWS inside; its size limits are
        /// the contract's `ImageLimits`, the same table the upload API refuses by.
        .target(
            name: "ImageEngine",
            dependencies: ["CImageEngine", .product(name: "PipelineContract", package: "Pipeline")],
            swiftSettings: swiftSettings
        ),
        /// The `processor` executable: the SQS worker (`serve`, the default) and the `binarize` CLI.
        .executableTarget(
            name: "Processor",
            dependencies: [
                "ImageEngine",
                .product(name: "AWSClient", package: "AWSClient"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "PipelineConcurrency", package: "Pipeline"),
                .product(name: "PipelineContract", package: "Pipeline"),
                .product(name: "PipelineService", package: "Pipeline"),
                .product(name: "PipelineSettings", package: "Pipeline"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ImageEngineTests",
            dependencies: [
                "ImageEngine",
                .product(name: "PipelineTestSupport", package: "Pipeline"),
                .product(name: "PipelineSettings", package: "Pipeline"),
                .product(name: "AWSTestSupport", package: "AWSClient"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProcessorTests",
            dependencies: [
                "Processor", "ImageEngine",
                .product(name: "PipelineContract", package: "Pipeline"),
                .product(name: "AWSClient", package: "AWSClient"),
                .product(name: "PipelineTestSupport", package: "Pipeline"),
                .product(name: "PipelineSettings", package: "Pipeline"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
