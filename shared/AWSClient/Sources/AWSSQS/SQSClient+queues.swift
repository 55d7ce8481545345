import AWSClient

extension SQSClient {
    /// The URL of the queue called `name`, asked once and then cached.
    public func queueURL(named name: String) async throws -> String {
        if let cached = queueURLs.get(name) { return cached }
        struct Input: Encodable { var QueueName: String }
        struct Output: Decodable { var QueueUrl: String }
        let url = try await call("GetQueueUrl", Input(QueueName: name), as: Output.self).QueueUrl
        queueURLs.set(name, url)
        return url
    }

    /// Creates a queue (or returns the URL of an identical existing one).
    ///
    /// - Parameter attributes: e.g. `FifoQueue`, `ContentBasedDeduplication`, `VisibilityTimeout`, `RedrivePolicy`.
    @discardableResult
    public func createQueue(named name: String, attributes: [String: String] = [:]) async throws -> String {
        struct Input: Encodable { var QueueName: String; var Attributes: [String: String]? }
        struct Output: Decodable { var QueueUrl: String }
        let url = try await call("CreateQueue", Input(QueueName: name, Attributes: attributes.isEmpty ? nil : attributes), as: Output.self).QueueUrl
        queueURLs.set(name, url)
        return url
    }

    /// Queue attributes such as `QueueArn` or `ApproximateNumberOfMessages`.
    public func queueAttributes(queueURL: String, names: [String] = ["All"]) async throws -> [String: String] {
        struct Input: Encodable { var QueueUrl: String; var AttributeNames: [String] }
        struct Output: Decodable { var Attributes: [String: String]? }
        return try await call("GetQueueAttributes", Input(QueueUrl: queueURL, AttributeNames: names), as: Output.self).Attributes ?? [:]
    }

    /// Changes attributes of an existing queue.
    public func setQueueAttributes(queueURL: String, attributes: [String: String]) async throws {
        struct Input: Encodable { var QueueUrl: String; var Attributes: [String: String] }
        _ = try await call("SetQueueAttributes", Input(QueueUrl: queueURL, Attributes: attributes), as: Empty.self)
    }
}

/// An answer whose content does not matter.
struct Empty: Decodable {}
