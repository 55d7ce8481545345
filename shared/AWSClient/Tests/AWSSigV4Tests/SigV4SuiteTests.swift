import Foundation
import AWSTestSupport
import Testing

@testable import AWSSigV4

/// Runs every case of the AWS SigV4 test suite (`testdata/aws-sigv4-test-suite/v4`), header and
/// query signing, comparing canonical request, string to sign and signature.
@Suite struct SigV4SuiteTests {
    @Test func everySuiteCase() throws {
        let testData = try TestData.directory()
        let suite = testData.appendingPathComponent("aws-sigv4-test-suite/v4")
        let names = try FileManager.default.contentsOfDirectory(atPath: suite.path).sorted()
        #expect(!names.isEmpty)
        var passed = 0
        for name in names {
            let folder = suite.appendingPathComponent(name)
            let suiteCase = try SuiteCase(folder: folder)
            let failures = suiteCase.check()
            for failure in failures {
                Issue.record("\(name): \(failure)")
            }
            if failures.isEmpty { passed += 1 }
        }
        print("SigV4 suite: \(passed)/\(names.count)")
        #expect(passed == names.count)
    }
}

/// One folder of the suite.
struct SuiteCase {
    struct Context: Decodable {
        struct Credentials: Decodable {
            var access_key_id: String
            var secret_access_key: String
            var token: String?
        }
        var credentials: Credentials
        var expiration_in_seconds: Int
        var normalize: Bool
        var region: String
        var service: String
        var sign_body: Bool?
        var omit_session_token: Bool?
        var timestamp: String
    }

    var context: Context
    var request: SigV4Request
    var body: [UInt8]
    var expected: [String: String]

    init(folder: URL) throws {
        context = try JSONDecoder().decode(Context.self, from: Data(contentsOf: folder.appendingPathComponent("context.json")))
        let raw = try String(contentsOf: folder.appendingPathComponent("request.txt"), encoding: .utf8)
        (request, body) = try Self.parse(raw)
        expected = [:]
        for file in ["header-canonical-request", "header-string-to-sign", "header-signature", "header-signed-request",
                     "query-canonical-request", "query-string-to-sign", "query-signature"] {
            expected[file] = try String(contentsOf: folder.appendingPathComponent(file + ".txt"), encoding: .utf8)
        }
    }

    /// Parses the suite's HTTP text: request line, headers (continuation lines folded in), body.
    static func parse(_ text: String) throws -> (SigV4Request, [UInt8]) {
        var lines = text.components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        guard let firstSpace = requestLine.firstIndex(of: " "), let versionRange = requestLine.range(of: " HTTP/", options: .backwards) else {
            throw ParseError(line: requestLine)
        }
        let method = String(requestLine[..<firstSpace])
        let target = String(requestLine[requestLine.index(after: firstSpace)..<versionRange.lowerBound])
        let (path, query) = target.firstIndex(of: "?").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) } ?? (target, "")
        var headers: [(name: String, value: String)] = []
        var bodyLines: [String] = []
        var inBody = false
        for line in lines {
            if inBody { bodyLines.append(line); continue }
            if line.isEmpty { inBody = true; continue }
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { throw ParseError(line: line) }
            headers.append((name: String(line[..<colon]), value: String(line[line.index(after: colon)...])))
        }
        return (SigV4Request(method: method, path: path, query: query, headers: headers), Array(bodyLines.joined(separator: "\n").utf8))
    }

    struct ParseError: Error { var line: String }

    var signer: SigV4Signer {
        SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: context.credentials.access_key_id,
                secretAccessKey: context.credentials.secret_access_key,
                sessionToken: context.credentials.token
            ),
            region: context.region,
            service: context.service,
            uriMode: .standard(normalize: context.normalize)
        )
    }

    var date: Date {
        ISO8601DateFormatter().date(from: context.timestamp) ?? Date(timeIntervalSince1970: 0)
    }

    /// Returns a line per mismatch; empty when the case passes.
    func check() -> [String] {
        var failures: [String] = []
        func compare(_ label: String, _ actual: String, _ file: String) {
            guard let wanted = expected[file] else { return }
            if actual != wanted { failures.append("\(label) differs:\n--- expected\n\(wanted)\n--- actual\n\(actual)") }
        }
        let hash = SigV4Signer.payloadHash(body)
        let omit = context.omit_session_token ?? false

        var headerRequest = request
        let headerSignature = signer.signHeaders(
            &headerRequest, payloadHash: hash, date: date,
            addContentSHA256Header: context.sign_body ?? false, omitSessionToken: omit
        )
        compare("header canonical request", headerSignature.canonicalRequest, "header-canonical-request")
        compare("header string to sign", headerSignature.stringToSign, "header-string-to-sign")
        compare("header signature", headerSignature.signature, "header-signature")
        let authorization = headerRequest.header("Authorization") ?? ""
        if let signed = expected["header-signed-request"], !signed.contains("Authorization:" + authorization + "\n") {
            failures.append("Authorization header not in the signed request: \(authorization)")
        }

        var queryRequest = request
        let querySignature = signer.presign(&queryRequest, expires: context.expiration_in_seconds, payloadHash: hash, date: date, omitSessionToken: omit)
        compare("query canonical request", querySignature.canonicalRequest, "query-canonical-request")
        compare("query string to sign", querySignature.stringToSign, "query-string-to-sign")
        compare("query signature", querySignature.signature, "query-signature")
        if !queryRequest.query.hasSuffix("X-Amz-Signature=" + querySignature.signature) {
            failures.append("presigned query lacks the signature: \(queryRequest.query)")
        }
        return failures
    }
}
