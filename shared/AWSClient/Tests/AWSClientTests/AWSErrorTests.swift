import AWSClient
@testable import AWSS3
@testable import AWSSQS
import NIOCore
import NIOHTTP1
import Testing

@Suite struct AWSErrorTests {
    func response(_ status: Int, _ body: String, _ headers: HTTPHeaders = [:]) -> AWSHTTPResponse {
        AWSHTTPResponse(status: status, headers: headers, body: ByteBuffer(string: body))
    }

    @Test func s3XMLError() {
        let error = S3Client.decodeError(response(404, """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>R1</RequestId></Error>
            """))
        #expect(error == AWSServiceError(code: "NoSuchKey", message: "The specified key does not exist.", statusCode: 404, requestID: "R1"))
    }

    @Test func s3HeadErrorWithoutBody() {
        let error = S3Client.decodeError(response(404, "", ["x-amz-request-id": "R2"]))
        #expect(error.code == "NotFound")
        #expect(error.requestID == "R2")
    }

    @Test(arguments: ["com.amazonaws.sqs#QueueDoesNotExist", "QueueDoesNotExist"])
    func sqsJSONErrorInBothTypeForms(_ type: String) {
        let error = SQSClient.decodeError(response(400, #"{"__type":"\#(type)","message":"The specified queue does not exist."}"#, ["x-amzn-RequestId": "R3"]))
        #expect(error == AWSServiceError(code: "QueueDoesNotExist", message: "The specified queue does not exist.", statusCode: 400, requestID: "R3"))
    }

    @Test func sqsCapitalisedMessage() {
        let error = SQSClient.decodeError(response(400, #"{"__type":"com.amazonaws.sqs#InvalidParameterValue","Message":"bad"}"#))
        #expect(error.code == "InvalidParameterValue")
        #expect(error.message == "bad")
    }

    @Test func sqsXMLAuthenticationError() {
        let error = SQSClient.decodeError(response(403, """
            <?xml version="1.0" encoding="utf-8"?>
            <ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>nope</Message><Type>Sender</Type></Error></Errors></ErrorResponse>
            """))
        #expect(error.code == "SignatureDoesNotMatch")
        #expect(error.statusCode == 403)
    }

    @Test func sqsLegacyHeaderWhenBodyIsUnreadable() {
        let error = SQSClient.decodeError(response(400, "oops", ["x-amzn-query-error": "AWS.SimpleQueueService.NonExistentQueue;Sender"]))
        #expect(error.code == "NonExistentQueue")
    }

    @Test func retryableClassification() {
        #expect(AWSError.service(.init(code: "InternalError", message: "", statusCode: 500)).isRetryable)
        #expect(AWSError.service(.init(code: "SlowDown", message: "", statusCode: 503)).isRetryable)
        #expect(AWSError.service(.init(code: "ThrottlingException", message: "", statusCode: 400)).isRetryable)
        #expect(AWSError.service(.init(code: "Anything", message: "", statusCode: 429)).isRetryable)
        #expect(AWSError.transport("reset").isRetryable)
        #expect(AWSError.timeout(operation: "x", seconds: 1).isRetryable)
        #expect(!AWSError.service(.init(code: "NoSuchKey", message: "", statusCode: 404)).isRetryable)
        #expect(!AWSError.service(.init(code: "SignatureDoesNotMatch", message: "", statusCode: 403)).isRetryable)
        #expect(!AWSError.responseTooLarge(limit: 1).isRetryable)
    }
}
