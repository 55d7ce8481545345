import NIOCore

extension AWSServiceError {
    /// Reads an XML error body in any of AWS's shapes: `<Error>` (S3), `<ErrorResponse><Error>`
    /// or `<ErrorResponse><Errors><Error>` (query protocol, also sent by SQS for auth failures).
    public static func fromXML(_ body: ByteBuffer, statusCode: Int, requestID: String?) -> AWSServiceError? {
        guard body.readableBytes > 0, let root = try? XMLNode.parse(body.readableBytesView) else { return nil }
        let error: XMLNode? = root.name == "Error" ? root : (root.child("Error") ?? root.child("Errors")?.child("Error"))
        guard let error, let code = error.childText("Code") else { return nil }
        return AWSServiceError(
            code: normalizedCode(code),
            message: error.childText("Message") ?? "",
            statusCode: statusCode,
            requestID: error.childText("RequestId") ?? root.childText("RequestId") ?? root.childText("RequestID") ?? requestID
        )
    }
}
