import Logging
import PipelineContract
import PipelineSettings
import Testing

/// The part of the configuration every service reads: PipelineConfiguration (AWS, resource names),
/// the HTTP address, logging, and the image limits.
@Suite struct SharedConfigurationTests {
    let credentials = ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"]

    @Test func defaultsFollowTheConfigurationTable() throws {
        let shared = try SharedConfiguration(environment: EnvironmentVariables(credentials), defaultPort: 8081)
        #expect(shared.pipeline.inputBucket == "image-input")
        #expect(shared.pipeline.processedBucket == "image-processed")
        #expect(shared.pipeline.inputQueue == "new-image-input.fifo")
        #expect(shared.pipeline.processedQueue == "new-image-processed.fifo")
        #expect(shared.httpHost == "127.0.0.1")
        #expect(shared.httpPort == 8081)
        #expect(shared.logging == LogSettings(level: .info, format: .text))
        let limits = try ImageLimits(environment: EnvironmentVariables(credentials))
        #expect(limits == ImageLimits(maxUploadBytes: 52_428_800, maxPixels: 100_000_000))
    }

    @Test(arguments: [
        ("HTTP_PORT", "eighty"), ("HTTP_PORT", "70000"), ("LOG_LEVEL", "loud"), ("LOG_FORMAT", "xml"),
        ("INPUT_BUCKET", "Bad_Bucket"), ("INPUT_QUEUE", "bad queue"), ("AWS_ENDPOINT_URL", "localhost:4566"),
    ])
    func badSharedValuesStopWithTheVariableNamed(_ variable: String, _ value: String) {
        #expect {
            try SharedConfiguration(environment: EnvironmentVariables(credentials.merging([variable: value]) { $1 }), defaultPort: 8082)
        } throws: { error in
            (error as? ConfigurationError)?.variable == variable
        }
    }

    @Test(arguments: [("MAX_UPLOAD_BYTES", "-1"), ("MAX_PIXELS", "1e8")])
    func badLimitsStopWithTheVariableNamed(_ variable: String, _ value: String) {
        #expect {
            try ImageLimits(environment: EnvironmentVariables([variable: value]))
        } throws: { error in
            (error as? ConfigurationError)?.variable == variable
        }
    }
}
