import AWSSigV4
import Foundation
import NIOCore
import NIOHTTP1

/// Where credentials come from when they are not fixed keys: asked before each signed request.
public protocol AWSCredentialsProvider: Sendable {
    /// Credentials valid now, fetched with `transport` when they must be.
    func credentials(using transport: any AWSHTTPTransport) async throws -> AWSCredentials
}

/// The temporary credentials of an ECS task role, from the container credentials endpoint that
/// ECS names in `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (or, elsewhere,
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` with `AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]`).
///
/// Kept in memory and fetched again a few minutes before they expire, so a long-running service
/// never restarts for new credentials; concurrent callers share one fetch.
public actor ContainerCredentialsProvider: AWSCredentialsProvider {
    /// ECS's credentials endpoint, which the relative URI is appended to.
    public static let ecsEndpoint = "http://169.254.170.2"

    /// Where the credentials are fetched.
    public nonisolated let url: String
    /// The `Authorization` header's value, or the file it is read from at each fetch.
    public nonisolated let authorizationToken: String?
    public nonisolated let authorizationTokenFile: String?
    /// How long before their expiration credentials are fetched again.
    let refreshMargin: TimeInterval
    let now: @Sendable () -> Date
    private var cached: (credentials: AWSCredentials, expiration: Date)?
    private var fetching: Task<(credentials: AWSCredentials, expiration: Date), any Error>?

    public init(
        url: String, authorizationToken: String? = nil, authorizationTokenFile: String? = nil,
        refreshMargin: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.url = url
        self.authorizationToken = authorizationToken
        self.authorizationTokenFile = authorizationTokenFile
        self.refreshMargin = refreshMargin
        self.now = now
    }

    public func credentials(using transport: any AWSHTTPTransport) async throws -> AWSCredentials {
        if let cached, cached.expiration.timeIntervalSince(now()) > refreshMargin { return cached.credentials }
        let token = try authorization()
        let fetch = fetching ?? Task { [url] in
            try await Self.fetch(url: url, authorization: token, transport: transport)
        }
        fetching = fetch
        defer { fetching = nil }
        do {
            let fresh = try await fetch.value
            cached = fresh
            return fresh.credentials
        } catch {
            // An endpoint that fails while the credentials in hand are still valid costs nothing yet.
            if let cached, cached.expiration > now() { return cached.credentials }
            throw error
        }
    }

    /// The Authorization header's value: the token, or the token file's content (read each time:
    /// the agent may rotate it).
    nonisolated func authorization() throws -> String? {
        if let authorizationTokenFile {
            do {
                return try String(contentsOfFile: authorizationTokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw AWSError.invalidResponse("container credentials: cannot read the token file \(authorizationTokenFile): \(error)")
            }
        }
        return authorizationToken
    }

    struct Answer: Decodable {
        var AccessKeyId: String
        var SecretAccessKey: String
        var Token: String?
        var Expiration: String
    }

    static func fetch(url: String, authorization: String?, transport: any AWSHTTPTransport) async throws -> (credentials: AWSCredentials, expiration: Date) {
        var headers = HTTPHeaders([("Accept", "application/json")])
        if let authorization { headers.add(name: "Authorization", value: authorization) }
        let response = try await transport.execute(AWSHTTPRequest(
            method: .GET, url: url, headers: headers, body: nil, maxResponseBytes: 64 * 1024,
            timeout: .seconds(5), operation: "ContainerCredentials"
        ))
        guard response.isSuccess else {
            throw AWSError.transport("container credentials endpoint answered HTTP \(response.status)")
        }
        let answer: Answer
        do {
            answer = try JSONDecoder().decode(Answer.self, from: Data(response.body.readableBytesView))
        } catch {
            throw AWSError.invalidResponse("container credentials: \(error)")
        }
        guard let expiration = (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(answer.Expiration))
            ?? (try? Date.ISO8601FormatStyle().parse(answer.Expiration))
        else {
            throw AWSError.invalidResponse("container credentials: Expiration \"\(answer.Expiration)\" is not an ISO 8601 time")
        }
        return (AWSCredentials(accessKeyID: answer.AccessKeyId, secretAccessKey: answer.SecretAccessKey, sessionToken: answer.Token), expiration)
    }
}
