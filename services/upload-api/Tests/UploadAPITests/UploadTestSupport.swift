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
import Testing

@testable import UploadAPI

/// An upload API on in-memory fakes.
struct UploadHarness {
    let store = InMemoryObjectStore(name: "image-input")
    let queue = InMemoryMessageQueue(name: "new-image-input.fifo")
    let events = InMemoryMessageQueue(name: "new-image-processed.fifo")
    let metrics = UploadMetrics()
    let ledger = InMemoryUsageLedger()
    var configuration: UploadAPIConfiguration
    /// How long a request waits for the store and the queue.
    var answerDeadline: Duration = .seconds(30)
    /// Who may upload (AUTH_MODE=none unless a test signs in).
    var authenticator = Authenticator.none

    init(maxUploadBytes: Int = 1 << 20, maxPixels: Int = 1_000_000) throws {
        configuration = try UploadAPIConfiguration(
            environment: EnvironmentVariables(["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "OPS_PORT": "0"])
        )
        configuration.limits = ImageLimits(maxUploadBytes: maxUploadBytes, maxPixels: maxPixels)
    }

    var dependencies: UploadDependencies {
        var dependencies = UploadDependencies(store: store, queue: queue, events: events, ledger: ledger)
        dependencies.metrics = metrics
        dependencies.inFlight = UploadsInFlight(answerDeadline: answerDeadline, logger: Logger(label: "test"))
        dependencies.authenticator = authenticator
        return dependencies
    }

    var application: some ApplicationProtocol {
        buildApplication(configuration: configuration, dependencies: dependencies, logger: Logger(label: "test"))
    }

    /// Sends one request to the ops port's routes (readiness details, metrics).
    func sendOps(_ uri: String, method: HTTPRequest.Method = .get, check: @escaping @Sendable (TestResponse) throws -> Void) async throws {
        let router = ServiceStartup.opsRouter(readiness: readinessProbe(dependencies), metrics: metrics.registry)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: uri, method: method) { response in try check(response) }
        }
    }

    /// Sends one request and hands the response to `check`.
    func send(
        _ uri: String = "/upload", method: HTTPRequest.Method = .post, headers: HTTPFields = [:], body: [UInt8]? = nil,
        check: @escaping @Sendable (TestResponse) throws -> Void
    ) async throws {
        try await application.test(.router) { client in
            try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) }) { response in
                try check(response)
            }
        }
    }
}

/// A `multipart/form-data` body.
struct Multipart {
    static let boundary = "----test-boundary-7MA4YWxkTrZu0gW"
    var parts: [(name: String, filename: String?, contentType: String?, data: [UInt8])] = []

    var headers: HTTPFields { [.contentType: "multipart/form-data; boundary=\(Self.boundary)"] }

    var body: [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            var head = "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let filename = part.filename { head += "; filename=\"\(filename)\"" }
            head += "\r\n"
            if let type = part.contentType { head += "Content-Type: \(type)\r\n" }
            head += "\r\n"
            out += Array(head.utf8) + part.data + Array("\r\n".utf8)
        }
        return out + Array("--\(Self.boundary)--\r\n".utf8)
    }

    static func image(_ data: [UInt8], filename: String = "photo.png", fields: [String: String] = [:]) -> Multipart {
        var multipart = Multipart()
        multipart.parts.append((name: "image", filename: filename, contentType: "image/png", data: data))
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            multipart.parts.append((name: name, filename: nil, contentType: nil, data: Array(value.utf8)))
        }
        return multipart
    }
}

/// The JSON of a response as a dictionary of strings.
func json(_ response: TestResponse) throws -> [String: String] {
    try JSONDecoder().decode([String: String].self, from: Data(response.body.readableBytesView))
}
