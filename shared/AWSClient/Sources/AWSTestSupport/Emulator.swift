import AWSClient
import AWSSigV4
import Foundation

/// The emulator the integration tests run against (moto with SigV4 checking, started by
/// `scripts/emulator.sh start`, or LocalStack).
///
/// Its settings come from the process environment (`AWS_ENDPOINT_URL` and the keys), or else from
/// `.run/emulator.env`, which the start script writes. Without either, integration tests skip with
/// a printed reason, unless `REQUIRE_EMULATOR=1`, where that is an error.
public enum Emulator {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String { "no emulator configured (REQUIRE_EMULATOR=1): run scripts/emulator.sh start" }
    }

    /// The environment to test with (the process's, with the emulator's variables), or nil (after
    /// printing why) when there is no emulator.
    public static func variables(from filePath: String = #filePath) throws -> [String: String]? {
        var values = ProcessInfo.processInfo.environment
        if values["AWS_ENDPOINT_URL"] == nil {
            let file = TestData.repositoryRoot(from: filePath).appendingPathComponent(".run/emulator.env")
            if let text = try? String(contentsOf: file, encoding: .utf8) {
                for line in text.split(separator: "\n") {
                    let parts = line.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
                }
            }
        }
        guard values["AWS_ENDPOINT_URL"] != nil else {
            if values["REQUIRE_EMULATOR"] == "1" { throw Missing() }
            print("SKIP: no emulator (AWS_ENDPOINT_URL unset, no .run/emulator.env); run scripts/emulator.sh start")
            return nil
        }
        return values
    }

    /// The AWS configuration for the emulator, or nil when there is none.
    /// Built from the emulator's own few variables; the services' full reader of the standard
    /// variables is `PipelineSettings`'.
    public static func configuration(from filePath: String = #filePath) throws -> AWSConfiguration? {
        guard let values = try variables(from: filePath), let url = values["AWS_ENDPOINT_URL"] else { return nil }
        return AWSConfiguration(
            region: values["AWS_REGION"] ?? values["AWS_DEFAULT_REGION"] ?? "us-east-1",
            credentials: AWSCredentials(
                accessKeyID: values["AWS_ACCESS_KEY_ID"] ?? "", secretAccessKey: values["AWS_SECRET_ACCESS_KEY"] ?? "",
                sessionToken: values["AWS_SESSION_TOKEN"]
            ),
            endpoint: try AWSEndpoint(parsing: url)
        )
    }

    /// A short random suffix, so that names made by one run never clash with another's.
    public static func uniqueSuffix() -> String {
        String(UUID().uuidString.lowercased().prefix(8))
    }
}
