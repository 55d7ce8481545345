import AWSClient

/// A message move task, as `ListMessageMoveTasks` tells it.
public struct SQSMessageMoveTask: Sendable, Equatable, Decodable {
    public var TaskHandle: String?
    /// RUNNING, COMPLETED, CANCELLING, CANCELLED or FAILED.
    public var Status: String
    public var SourceArn: String?
    public var DestinationArn: String?
    public var ApproximateNumberOfMessagesMoved: Int?
    public var ApproximateNumberOfMessagesToMove: Int?
    public var FailureReason: String?
}

extension SQSClient {
    /// Starts moving every message of a dead-letter queue (`sourceArn`) back to the queue(s) it
    /// came from, or to `destinationArn`: SQS's own redrive. Returns the task's handle.
    public func startMessageMoveTask(sourceArn: String, destinationArn: String? = nil) async throws -> String {
        struct Input: Encodable { var SourceArn: String; var DestinationArn: String? }
        struct Output: Decodable { var TaskHandle: String }
        return try await call("StartMessageMoveTask", Input(SourceArn: sourceArn, DestinationArn: destinationArn), as: Output.self).TaskHandle
    }

    /// The most recent message move tasks of `sourceArn` (up to 10), newest first.
    public func listMessageMoveTasks(sourceArn: String) async throws -> [SQSMessageMoveTask] {
        struct Input: Encodable { var SourceArn: String; var MaxResults = 10 }
        struct Output: Decodable { var Results: [SQSMessageMoveTask]? }
        return try await call("ListMessageMoveTasks", Input(SourceArn: sourceArn), as: Output.self).Results ?? []
    }

    /// Whether `error` says the queue service has no such action (an emulator without message
    /// move tasks), rather than refusing it.
    public static func isUnsupportedAction(_ error: any Error) -> Bool {
        let serviceError: AWSServiceError? = switch error {
        case let error as AWSServiceError: error
        case AWSError.service(let error): error
        default: nil
        }
        guard let error = serviceError else { return false }
        let codes: Set<String> = ["InvalidAction", "UnknownOperation", "UnsupportedOperation", "NotImplemented", "InvalidAction.NotImplemented"]
        // moto answers an action it lacks with a bare 500 (no error document, hence the code
        // `HTTP500`); AWS's own 500s carry a code (InternalError) and are not taken for this.
        return codes.contains(error.code) || error.statusCode == 501 || (error.statusCode == 500 && error.code == "HTTP500")
    }
}
