import AWSClient
import AWSSigV4
import AWSS3
import AWSSQS
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The SQS client's requests: the JSON protocol, queue URLs, receive.
@Suite struct SQSClientTests {
    let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "TOKEN")

    @Test func sqsUsesTheJSONProtocolAndCachesQueueURLs() async throws {
        let transport = FakeTransport([
            FakeTransport.ok(#"{"QueueUrl":"http://h/000000000000/q.fifo"}"#),
            FakeTransport.ok(#"{"MessageId":"m1"}"#),
            FakeTransport.ok(#"{"MessageId":"m2"}"#),
        ])
        let sqs = SQSClient(configuration: AWSConfiguration(credentials: credentials, endpoint: AWSEndpoint(scheme: "http", host: "h")), transport: transport)
        for _ in 0..<2 {
            let url = try await sqs.queueURL(named: "q.fifo")
            try await sqs.sendMessage(queueURL: url, body: "{}", groupID: "g", deduplicationID: "d")
        }
        #expect(transport.requests.count == 3, "GetQueueUrl is asked once")
        let send = transport.requests[1]
        #expect(send.headers.first(name: "X-Amz-Target") == "AmazonSQS.SendMessage")
        #expect(send.headers.first(name: "Content-Type") == "application/x-amz-json-1.0")
        let body = try JSONSerialization.jsonObject(with: Data(send.body?.readableBytesView ?? ByteBuffer().readableBytesView)) as? [String: Any]
        #expect(body?["QueueUrl"] as? String == "http://h/000000000000/q.fifo")
        #expect(body?["MessageGroupId"] as? String == "g")
        #expect(body?["MessageDeduplicationId"] as? String == "d")
    }

    @Test func receiveDecodesSystemAttributesAndExtendsTheTimeout() async throws {
        let transport = FakeTransport([FakeTransport.ok(#"""
            {"Messages":[{"MessageId":"m","ReceiptHandle":"r","MD5OfBody":"x","Body":"{\"a\":1}","Attributes":{"ApproximateReceiveCount":"3"}}]}
            """#)])
        let configuration = AWSConfiguration(credentials: credentials, endpoint: AWSEndpoint(scheme: "http", host: "h"), timeout: .seconds(5))
        let sqs = SQSClient(configuration: configuration, transport: transport)
        let messages = try await sqs.receiveMessages(queueURL: "http://h/q", maxMessages: 50, waitSeconds: 20)
        #expect(messages == [SQSMessage(messageID: "m", receiptHandle: "r", body: #"{"a":1}"#, attributes: ["ApproximateReceiveCount": "3"])])
        #expect(messages.first?.receiveCount == 3)
        #expect(transport.requests.first?.timeout == .seconds(25))
    }

    /// An emulator without message move tasks (moto: a bare 500) or an unknown action is told
    /// apart from AWS refusing one (AccessDenied) or failing (InternalError, with its code).
    @Test func unsupportedActionsAreToldApart() {
        #expect(SQSClient.isUnsupportedAction(AWSError.service(AWSServiceError(code: "HTTP500", message: "", statusCode: 500))))
        #expect(SQSClient.isUnsupportedAction(AWSServiceError(code: "InvalidAction", message: "", statusCode: 400)))
        #expect(SQSClient.isUnsupportedAction(AWSServiceError(code: "UnknownOperation", message: "", statusCode: 400)))
        #expect(!SQSClient.isUnsupportedAction(AWSError.service(AWSServiceError(code: "AccessDenied", message: "", statusCode: 403))))
        #expect(!SQSClient.isUnsupportedAction(AWSServiceError(code: "InternalError", message: "", statusCode: 500)))
        #expect(!SQSClient.isUnsupportedAction(AWSError.transport("connection refused")))
    }
}
