import AWSClient
import AWSS3
import AWSSQS
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PipelineAWS
import PipelineContract
import PipelineService
import PipelineSettings
import PipelineTestSupport
import Testing

@testable import UploadAPI

/// Against the strict emulator: the object and the message exist, with the right key, body,
/// content type, group and deduplication id.
@Suite struct UploadIntegrationTests {
    @Test func uploadReachesS3AndSQS() async throws {
        try await TestPipeline.run("it-upload") { environment, configuration, clients in
            let app = buildApplication(
                configuration: try UploadAPIConfiguration(environment: environment),
                dependencies: UploadDependencies(
                    store: clients.inputBucket, queue: clients.inputQueue, events: clients.processedQueue, ledger: clients.usageLedger
                ),
                logger: Logger(label: "test")
            )
            let png = TestPNG.make(width: 16, height: 9)
            let form = Multipart.image(png, filename: "cat.png")
            let answer = ResultBox()
            try await app.test(.router) { client in
                try await client.execute(uri: "/upload", method: .post, headers: form.headers, body: ByteBuffer(bytes: form.body)) { response in
                    #expect(response.status == .accepted)
                    answer.value = try json(response)
                }
            }
            // Readiness on the ops port: S3, SQS and the table the allowances are counted in.
            let dependencies = UploadDependencies(
                store: clients.inputBucket, queue: clients.inputQueue, events: clients.processedQueue, ledger: clients.usageLedger
            )
            let ops = ServiceStartup.opsRouter(readiness: readinessProbe(dependencies), metrics: dependencies.metrics.registry)
            try await Application(router: ops).test(.router) { client in
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .ok, "\(String(buffer: response.body))")
                }
            }
            // The upload was counted in its owner's allowance of the day, in the table.
            let usage = try await clients.usageLedger.usage(owner: "local", on: UsageDay(Date()))
            #expect(usage == DailyUsage(uploads: 1, bytes: png.count, pixels: 16 * 9))
            let imageID = try #require(answer.value?["image_id"])
            let key = "\(imageID)_cat.png"
            #expect(answer.value?["object_key"] == key)

            let object = try await clients.s3.getObject(bucket: configuration.inputBucket, key: key)
            #expect(Array(object.body.readableBytesView) == png)
            #expect(object.head.contentType == "image/png")

            let queueURL = try await clients.sqs.queueURL(named: configuration.inputQueue)
            let message = try #require(try await clients.sqs.receiveMessages(queueURL: queueURL, waitSeconds: 2).first)
            let body = try PipelineJSON.decode(ImageUploadedMessage.self, from: message.body)
            #expect(body.imageID == imageID)
            #expect(body.objectKey == key)
            #expect(message.attributes["MessageGroupId"] == imageID)
            #expect(message.attributes["MessageDeduplicationId"] == imageID)

            // The notifier learns of the upload from the `queued` event, not from the bucket.
            let eventsURL = try await clients.sqs.queueURL(named: configuration.processedQueue)
            let eventMessage = try #require(try await clients.sqs.receiveMessages(queueURL: eventsURL, waitSeconds: 2).first)
            let event = try PipelineJSON.decode(ImageEvent.self, from: eventMessage.body)
            #expect(event.status == .queued)
            #expect(event.imageID == imageID)
            #expect(event.originalKey == key)
            #expect(event.size == png.count)
            #expect(eventMessage.attributes["MessageDeduplicationId"] == "queued_\(imageID)")
        }
    }

    /// A body larger than a part streams to S3 as a multipart upload (signed part by part on the
    /// strict emulator) and is stored whole; one over the limit is refused with nothing left.
    @Test(arguments: [(12 << 20) + 123, 30 << 20])
    func largeUploadsStreamToS3OrLeaveNothing(_ size: Int) async throws {
        try await TestPipeline.run("it-big") { environment, configuration, clients in
            var uploadAPI = try UploadAPIConfiguration(environment: environment)
            uploadAPI.limits = ImageLimits(maxUploadBytes: 20 << 20)
            let app = buildApplication(
                configuration: uploadAPI,
                dependencies: UploadDependencies(
                    store: clients.inputBucket, queue: clients.inputQueue, events: clients.processedQueue, ledger: clients.usageLedger
                ),
                logger: Logger(label: "test")
            )
            // A valid header, then filler: the API checks the header; the bytes after it are the image's business.
            let header = TestPNG.make(width: 16, height: 9)
            let png = header + [UInt8](repeating: 0x5A, count: size - header.count)
            let answer = ResultBox()
            try await app.test(.router) { client in
                try await client.execute(
                    uri: "/upload?filename=big.png", method: .post, headers: [.contentType: "image/png"], body: ByteBuffer(bytes: png)
                ) { response in
                    answer.value = try json(response)
                    #expect(response.status == (size <= 20 << 20 ? .accepted : .contentTooLarge))
                }
            }
            let objects = try await clients.s3.listAllObjects(bucket: configuration.inputBucket)
            #expect(try await clients.s3.listMultipartUploads(bucket: configuration.inputBucket).isEmpty, "no unfinished upload")
            if size <= 20 << 20 {
                let key = try #require(answer.value?["object_key"])
                let object = try await clients.s3.getObject(bucket: configuration.inputBucket, key: key, maxBytes: 64 << 20)
                #expect(Array(object.body.readableBytesView) == png)
                #expect(objects.count == 1)
            } else {
                #expect(answer.value?["error"] == "too_large")
                #expect(objects.isEmpty, "nothing stored for a refusal")
            }
        }
    }
}
