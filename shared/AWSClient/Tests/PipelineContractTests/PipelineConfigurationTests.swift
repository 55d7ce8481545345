import AWSClient
import Logging
import PipelineContract
import Testing

@Suite struct PipelineConfigurationTests {
    let credentials = ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"]

    @Test func defaultsFollowTheDesignTable() throws {
        let configuration = try PipelineConfiguration(environment: EnvironmentVariables(credentials), component: .uploadAPI)
        #expect(configuration.inputBucket == "image-input")
        #expect(configuration.processedBucket == "image-processed")
        #expect(configuration.inputQueue == "new-image-input.fifo")
        #expect(configuration.processedQueue == "new-image-processed.fifo")
        #expect(configuration.httpHost == "127.0.0.1")
        #expect(configuration.httpPort == 8081)
        #expect(configuration.logLevel == .info)
        #expect(configuration.logFormat == .text)
        #expect(configuration.maxUploadBytes == 52_428_800)
        #expect(configuration.maxPixels == 100_000_000)
        #expect(configuration.publicUploadURL == "http://localhost:8081/upload")
        #expect(configuration.corsAllowedOrigins == ["http://localhost:8080", "http://127.0.0.1:8080"])
        #expect(try PipelineConfiguration(environment: EnvironmentVariables(credentials), component: .notifier).httpPort == 8080)
        #expect(try PipelineConfiguration(environment: EnvironmentVariables(credentials), component: .processor).httpPort == 8082)
    }

    @Test(arguments: [
        ("HTTP_PORT", "eighty"), ("HTTP_PORT", "70000"), ("MAX_UPLOAD_BYTES", "-1"), ("MAX_PIXELS", "1e8"),
        ("LOG_LEVEL", "loud"), ("LOG_FORMAT", "xml"), ("INPUT_BUCKET", "Bad_Bucket"), ("INPUT_QUEUE", "bad queue"),
        ("PUBLIC_UPLOAD_URL", "localhost:8081"),
    ])
    func badValuesStopWithTheVariableNamed(_ variable: String, _ value: String) {
        #expect {
            try PipelineConfiguration(environment: EnvironmentVariables(credentials.merging([variable: value]) { $1 }), component: .processor)
        } throws: { error in
            (error as? ConfigurationError)?.variable == variable
        }
    }

    @Test func deadLetterQueueNames() {
        #expect(PipelineResources.deadLetterQueueName(for: "new-image-input.fifo") == "new-image-input-dlq.fifo")
        #expect(PipelineResources.deadLetterQueueName(for: "plain") == "plain-dlq")
    }
}
