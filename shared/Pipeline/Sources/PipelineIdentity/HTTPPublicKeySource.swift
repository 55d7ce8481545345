import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Keys fetched over HTTP(S): the load balancer's PEM keys and an issuer's JWKS. Each fetch has a
/// deadline and a size cap, and only a 200 counts, so a slow or odd key server makes a request
/// fail with 401 in seconds instead of holding it.
public struct HTTPPublicKeySource: PublicKeySource {
    let client: HTTPClient
    let timeout: TimeAmount
    /// Keys are small: a PEM key is a few hundred bytes, a JWKS a few KiB.
    let maxBytes: Int

    public init(client: HTTPClient = .shared, timeout: Duration = .seconds(5), maxBytes: Int = 64 * 1024) {
        self.client = client
        self.timeout = TimeAmount(timeout)
        self.maxBytes = maxBytes
    }

    /// Why a key could not be had.
    public struct FetchError: Error, CustomStringConvertible {
        public var url: String
        public var status: Int

        public var description: String { "\(url) answered \(status)" }
    }

    public func text(at url: String) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json, application/x-pem-file, text/plain")
        let response = try await client.execute(request, timeout: timeout)
        guard response.status == .ok else { throw FetchError(url: url, status: Int(response.status.code)) }
        return String(buffer: try await response.body.collect(upTo: maxBytes))
    }
}
