import AWSClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PipelineContract
import PipelineIdentity
import PipelineService
import PipelineSettings
import PipelineTestSupport

@testable import Notifier

/// A notifier on in-memory fakes.
struct NotifierHarness {
    let input = InMemoryObjectStore(name: "image-input")
    let processed = InMemoryObjectStore(name: "image-processed")
    let queue = InMemoryMessageQueue(name: "new-image-processed.fifo")
    let inputQueue = InMemoryMessageQueue(name: "new-image-input.fifo")
    let inputDeadLetters = InMemoryMessageQueue(name: "new-image-input-dlq.fifo")
    let table = InMemoryImageTable()
    let dependencies: NotifierDependencies
    var configuration: NotifierConfiguration

    /// - Parameter authenticator: who may call (AUTH_MODE=none unless a test signs in).
    init(heartbeat: Duration = .seconds(15), authenticator: Authenticator = .none) throws {
        var dependencies = NotifierDependencies(
            inputBucket: input, processedBucket: processed, processedQueue: queue, table: table, changes: table, inputQueue: inputQueue,
            deadLetterQueues: [inputDeadLetters], pollInterval: .milliseconds(100), heartbeat: heartbeat
        )
        // An application under test stops within its consumer's long poll.
        dependencies.eventWaitSeconds = 1
        dependencies.authenticator = authenticator
        dependencies.deadLetterOffice = DeadLetterOffice(
            deadLetters: inputDeadLetters, redrive: nil, inputQueue: inputQueue, table: table, logger: Logger(label: "test")
        )
        self.dependencies = dependencies
        // The ops port on a port of the system's choosing, so that tests running at once never meet.
        configuration = try NotifierConfiguration(
            environment: EnvironmentVariables(["AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "OPS_PORT": "0"])
        )
    }

    var hub: ImageChangeHub { dependencies.hub }

    var consumer: ProcessedEventConsumer {
        ProcessedEventConsumer(
            queue: queue, table: table, monitor: dependencies.monitor, metrics: dependencies.metrics, logger: Logger(label: "test"), waitSeconds: 0
        )
    }

    var application: some ApplicationProtocol {
        buildApplication(configuration: configuration, dependencies: dependencies, logger: Logger(label: "test"))
    }

    /// The ops port's routes (readiness details, metrics) as an application under test.
    var opsApplication: some ApplicationProtocol {
        let hub = dependencies.hub
        let metrics = dependencies.metrics
        return Application(router: ServiceStartup.opsRouter(
            readiness: readinessProbe(dependencies), metrics: metrics.registry, beforeScrape: { await metrics.update(from: hub) }
        ))
    }

    /// How an event reaches the table: applied directly, as if a notifier had applied it, or sent
    /// to the processed queue for the consumer.
    enum Route { case table, queue }

    /// Stores an uploaded image and delivers its `queued` event, as the upload API would; returns its input key.
    @discardableResult
    func upload(
        _ id: String, _ name: String = "a.png", bytes: [UInt8] = TestPNG.make(width: 2, height: 2), owner: String? = nil, via route: Route = .table
    ) async throws -> String {
        let key = "\(id)_\(name)"
        try await input.put(key: key, body: ByteBuffer(bytes: bytes), contentType: "image/png")
        try await deliver(ImageEvent(imageID: id, originalKey: key, status: .queued, size: bytes.count, uploadedAt: PipelineJSON.timestamp(), owner: owner), via: route)
        return key
    }

    /// Stores a processed image and delivers its event, as the processor would.
    func process(_ id: String, _ name: String = "a.png", bytes: [UInt8] = [1, 2, 3], owner: String? = nil, via route: Route = .table) async throws {
        let key = "\(id)_\(name)"
        try await processed.put(key: "processed_\(key)", body: ByteBuffer(bytes: bytes), contentType: "image/png")
        try await deliver(
            ImageEvent(
                imageID: id, originalKey: key, processedKey: "processed_\(key)", status: .processed, width: 2, height: 2, processedSize: bytes.count,
                owner: owner
            ), via: route
        )
    }

    /// Fails an image as the processor would: marker object and event.
    func fail(_ id: String, _ name: String = "a.png", reason: String = "The file is not a PNG image.", via route: Route = .table) async throws {
        let key = "\(id)_\(name)"
        try await processed.put(key: "failed_\(key).json", body: ByteBuffer(string: try PipelineJSON.encode(FailureMarker(imageID: id, error: reason))), contentType: "application/json")
        try await deliver(ImageEvent(imageID: id, originalKey: key, processedKey: "processed_\(key)", status: .failed, error: reason), via: route)
    }

    func deliver(_ event: ImageEvent, via route: Route) async throws {
        switch route {
        case .table: _ = try await table.apply(event, at: Date(), expiresAt: nil)
        case .queue: try await queue.send(body: try PipelineJSON.encode(event), groupID: event.imageID, deduplicationID: event.deduplicationID)
        }
    }
}

func jsonObject(_ buffer: ByteBuffer) throws -> [String: Any] {
    try (JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any]) ?? [:]
}
