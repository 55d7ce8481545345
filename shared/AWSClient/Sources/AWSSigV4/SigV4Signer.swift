import Crypto
import Synchronization

import struct Foundation.Date

/// Signs requests with AWS Signature Version 4, in the `Authorization` header or in a presigned query.
///
/// Two URI modes exist: the standard one encodes the wire path once more (so a `%20` becomes `%2520`,
/// AWS's "double encoding") and may normalize it; S3 signs the wire path exactly as sent.
public struct SigV4Signer: Sendable {
    /// How the path enters the canonical request.
    public enum URIMode: Sendable, Equatable {
        /// Every service but S3: remove dot segments and repeated slashes when `normalize` is set,
        /// then URI-encode the path once more.
        case standard(normalize: Bool)
        /// S3: the path is used as sent, with no normalization and no second encoding.
        case s3
    }

    public static let algorithm = "AWS4-HMAC-SHA256"
    /// The SHA-256 of an empty body, used for requests without one.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// Payload hash value meaning "not signed" (S3 only).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    public var credentials: AWSCredentials
    public var region: String
    public var service: String
    public var uriMode: URIMode

    public init(credentials: AWSCredentials, region: String, service: String, uriMode: URIMode = .standard(normalize: true)) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.uriMode = uriMode
    }

    /// The intermediate and final values of one signature, kept for tests and debugging.
    public struct Signature: Sendable, Equatable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
        public var signedHeaders: String
        public var credentialScope: String
    }

    /// Hex SHA-256 of a body, for `x-amz-content-sha256` and the canonical request.
    public static func payloadHash(_ body: UnsafeRawBufferPointer) -> String {
        hexString(SHA256.hash(data: body))
    }

    /// Hex SHA-256 of a body held in an array.
    public static func payloadHash(_ body: [UInt8]) -> String {
        body.withUnsafeBytes { payloadHash($0) }
    }

    // MARK: Header signing

    /// Signs `request` in place: adds `X-Amz-Date`, `X-Amz-Security-Token` (unless `omitSessionToken`),
    /// `x-amz-content-sha256` when `addContentSHA256Header`, and `Authorization`.
    ///
    /// - Parameters:
    ///   - payloadHash: hex SHA-256 of the body, or ``unsignedPayload``.
    ///   - omitSessionToken: add the token after signing instead of signing it (some services want this).
    @discardableResult
    public func signHeaders(
        _ request: inout SigV4Request,
        payloadHash: String = SigV4Signer.emptyPayloadHash,
        date: Date = Date(),
        addContentSHA256Header: Bool = false,
        omitSessionToken: Bool = false
    ) -> Signature {
        let stamp = SigV4Timestamp(date)
        request.headers.removeAll { Self.isSigningHeader($0.name) }
        request.headers.append((name: "X-Amz-Date", value: stamp.dateTime))
        if let token = credentials.sessionToken, !omitSessionToken {
            request.headers.append((name: "X-Amz-Security-Token", value: token))
        }
        if addContentSHA256Header {
            request.headers.removeAll { $0.name.lowercased() == "x-amz-content-sha256" }
            request.headers.append((name: "x-amz-content-sha256", value: payloadHash))
        }
        let signature = sign(request: request, query: request.query, payloadHash: payloadHash, stamp: stamp)
        if let token = credentials.sessionToken, omitSessionToken {
            request.headers.append((name: "X-Amz-Security-Token", value: token))
        }
        request.headers.append((
            name: "Authorization",
            value: "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(signature.credentialScope), "
                + "SignedHeaders=\(signature.signedHeaders), Signature=\(signature.signature)"
        ))
        return signature
    }

    // MARK: Query (presigned URL) signing

    /// Presigns `request`: the signing parameters and the signature are appended to its query.
    /// Only the request's own headers (at least `Host`) are signed.
    @discardableResult
    public func presign(
        _ request: inout SigV4Request,
        expires: Int,
        payloadHash: String = SigV4Signer.emptyPayloadHash,
        date: Date = Date(),
        omitSessionToken: Bool = false
    ) -> Signature {
        let stamp = SigV4Timestamp(date)
        let scope = credentialScope(stamp)
        let signedHeaders = CanonicalRequest.signedHeaderNames(request.headers)
        var parameters: [(String, String)] = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope)"),
            ("X-Amz-Date", stamp.dateTime),
            ("X-Amz-SignedHeaders", signedHeaders),
            ("X-Amz-Expires", String(expires)),
        ]
        if let token = credentials.sessionToken, !omitSessionToken {
            parameters.append(("X-Amz-Security-Token", token))
        }
        let added = parameters.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        let query = request.query.isEmpty ? added : request.query + "&" + added
        let signature = sign(request: request, query: query, payloadHash: payloadHash, stamp: stamp)
        request.query = query + "&X-Amz-Signature=" + signature.signature
        return signature
    }

    // MARK: Core

    func sign(request: SigV4Request, query: String, payloadHash: String, stamp: SigV4Timestamp) -> Signature {
        let canonical = CanonicalRequest(
            method: request.method,
            path: request.path,
            query: query,
            headers: request.headers,
            payloadHash: payloadHash,
            uriMode: uriMode
        )
        let scope = credentialScope(stamp)
        var canonicalText = canonical.text
        let canonicalHash = canonicalText.withUTF8 { Self.hexString(SHA256.hash(data: UnsafeRawBufferPointer($0))) }
        var stringToSign = CanonicalRequest.lines([Self.algorithm, stamp.dateTime, scope, canonicalHash])
        let key = signingKey(date: stamp.date)
        let mac = stringToSign.withUTF8 { HMAC<SHA256>.authenticationCode(for: UnsafeRawBufferPointer($0), using: key) }
        return Signature(
            canonicalRequest: canonicalText,
            stringToSign: stringToSign,
            signature: Self.hexString(mac),
            signedHeaders: canonical.signedHeaders,
            credentialScope: scope
        )
    }

    func credentialScope(_ stamp: SigV4Timestamp) -> String {
        "\(stamp.date)/\(region)/\(service)/aws4_request"
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"),
    /// derived once per day, region, service and secret: four HMACs were a quarter of signing.
    func signingKey(date: String) -> SymmetricKey {
        let scope = "\(date)/\(region)/\(service)/\(credentials.accessKeyID)/\(credentials.secretAccessKey)"
        if let bytes = Self.signingKeys.withLock({ $0[scope] }) { return SymmetricKey(data: bytes) }
        let key = deriveSigningKey(date: date)
        let bytes = key.withUnsafeBytes { Array($0) }
        Self.signingKeys.withLock { keys in
            if keys.count >= 64 { keys.removeAll() }  // rotated credentials and past days
            keys[scope] = bytes
        }
        return key
    }

    /// Signing keys' bytes by scope and credentials.
    static let signingKeys = Mutex<[String: [UInt8]]>([:])

    func deriveSigningKey(date: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [date, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    static func isSigningHeader(_ name: String) -> Bool {
        switch name.lowercased() {
        case "authorization", "x-amz-date", "x-amz-security-token": true
        default: false
        }
    }

    static func hexString(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
