import Foundation

/// The parts of a compact JWT and its header's fields that choose the key, read before anything
/// is verified (nothing here is trusted until the signature is).
struct TokenParts: Sendable {
    let header: TokenHeader
    /// `header.payload` exactly as sent: what the signature covers.
    let signingInput: String
    let payload: Data
    let signature: Data

    init(_ token: String) throws(IdentityError) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .invalid("not a compact JWT") }
        guard let headerData = Self.base64URLDecode(parts[0]), let payload = Self.base64URLDecode(parts[1]),
            let signature = Self.base64URLDecode(parts[2])
        else { throw .invalid("a part is not base64url") }
        guard let header = try? JSONDecoder().decode(TokenHeader.self, from: headerData) else { throw .invalid("unreadable header") }
        self.header = header
        self.signingInput = "\(parts[0]).\(parts[1])"
        self.payload = payload
        self.signature = signature
    }

    /// base64url with or without `=` padding: the load balancer pads its tokens, RFC 7515 does not.
    static func base64URLDecode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.hasSuffix("=") { base64.removeLast() }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}

/// A JWT header: the algorithm, the key id, and the load balancer's `signer` (its ARN).
struct TokenHeader: Decodable, Sendable {
    let alg: String?
    let kid: String?
    let signer: String?
}
