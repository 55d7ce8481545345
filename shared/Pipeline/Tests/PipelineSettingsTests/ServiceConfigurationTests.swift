import PipelineContract
import PipelineSettings
import Testing

/// Each service's own part, over the shared one: defaults as the README's configuration table
/// says, and a bad value naming its variable.
@Suite struct ServiceConfigurationTests {
    let credentials = ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"]

    func environment(_ values: [String: String] = [:]) -> EnvironmentVariables {
        EnvironmentVariables(credentials.merging(values) { $1 })
    }

    @Test func eachServiceHasItsOwnDefaultPort() throws {
        #expect(try UploadAPIConfiguration(environment: environment()).shared.httpPort == 8081)
        #expect(try NotifierConfiguration(environment: environment()).shared.httpPort == 8080)
        #expect(try ProcessorConfiguration(environment: environment()).shared.httpPort == 8082)
    }

    @Test func uploadAPIDefaultsAndOrigins() throws {
        let defaults = try UploadAPIConfiguration(environment: environment())
        #expect(defaults.corsAllowedOrigins == ["http://localhost:8080", "http://127.0.0.1:8080"])
        #expect(defaults.limits == ImageLimits())
        let set = try UploadAPIConfiguration(environment: environment(["CORS_ALLOWED_ORIGINS": " https://a.example , ,https://b.example"]))
        #expect(set.corsAllowedOrigins == ["https://a.example", "https://b.example"])
    }

    /// The limits and the web server's settings, as the README's table gives them.
    @Test func limitsAndWebServerDefaults() throws {
        let upload = try UploadAPIConfiguration(environment: environment())
        #expect(upload.maxUploadsInProgress == 32 && upload.maxUploadsInProgressPerOwner == 8)
        #expect(upload.dailyAllowance == DailyAllowance(uploads: 1_000, bytes: 2 << 30, pixels: 5_000_000_000))
        #expect(upload.web == WebServerSettings(opsPort: 9081))
        #expect(upload.web.idleTimeout == .seconds(75) && upload.web.headerTimeout == .seconds(10) && upload.web.bodyIdleTimeout == .seconds(30))
        #expect(upload.web.trustedProxyHops == 0)
        let notifier = try NotifierConfiguration(environment: environment())
        #expect(notifier.web.opsPort == 9080)
        #expect(notifier.eventStreams == .init(perOwner: 10, perTask: 1_000))
        #expect(notifier.zipLimits == .init(images: 500, bytes: 1 << 30))
        // A port the system chooses has an ops port the system chooses.
        #expect(try UploadAPIConfiguration(environment: environment(["HTTP_PORT": "0"])).web.opsPort == 0)
        let set = try NotifierConfiguration(environment: environment(["OPS_PORT": "7000", "TRUSTED_PROXY_HOPS": "1", "BODY_IDLE_SECONDS": "5"]))
        #expect(set.web.opsPort == 7000 && set.web.trustedProxyHops == 1 && set.web.bodyIdleTimeout == .seconds(5))
    }

    @Test(arguments: [
        ("OPS_PORT", "8081"), ("OPS_PORT", "70000"), ("MAX_UPLOADS_IN_PROGRESS", "0"), ("MAX_UPLOADS_IN_PROGRESS_PER_OWNER", "x"),
        ("UPLOADS_PER_OWNER_PER_DAY", "0"), ("PIXELS_PER_OWNER_PER_DAY", "-5"), ("BODY_IDLE_SECONDS", "0"), ("TRUSTED_PROXY_HOPS", "11"),
        ("HTTP_IDLE_TIMEOUT_SECONDS", "0"), ("HTTP_HEADER_TIMEOUT_SECONDS", "301"),
    ])
    func badLimitValuesNameTheVariable(_ variable: String, _ value: String) {
        #expect { try UploadAPIConfiguration(environment: environment([variable: value])) } throws: { error in
            (error as? ConfigurationError)?.variable == variable
        }
    }

    @Test func notifierDefaults() throws {
        let defaults = try NotifierConfiguration(environment: environment())
        #expect(defaults.publicUploadURL == "http://localhost:8081/upload")
        #expect(defaults.queuePollSeconds == 5)
        #expect(defaults.maxUploadBytes == ImageLimits.defaultMaxUploadBytes)
    }

    @Test func processorDefaultsFollowTheCores() throws {
        let four = try ProcessorConfiguration(environment: environment(), coreCount: 4)
        #expect(four.concurrency == 4 && four.prefetch == 4)
        #expect(four.visibilitySeconds == 60 && four.outputBitDepth == 1)
        #expect(four.deleteBatchWait == .milliseconds(250) && four.eventBatchWait == .milliseconds(250))
        // Prefetch follows the concurrency, up to SQS's ten messages a receive.
        #expect(try ProcessorConfiguration(environment: environment(), coreCount: 32).prefetch == 10)
        let set = try ProcessorConfiguration(environment: environment(["PROCESSOR_OUTPUT_BIT_DEPTH": "8", "PROCESSOR_PREFETCH": "0"]), coreCount: 2)
        #expect(set.outputBitDepth == 8 && set.prefetch == 0)
    }

    @Test(arguments: [
        ("PROCESSOR_OUTPUT_BIT_DEPTH", "4"), ("PROCESSOR_CONCURRENCY", "0"), ("PROCESSOR_PREFETCH", "11"),
        ("PROCESSOR_VISIBILITY_SECONDS", "2"), ("PROCESSOR_DELETE_BATCH_MS", "1001"), ("PROCESSOR_EVENT_BATCH_MS", "-1"),
        ("MAX_PIXELS", "0"),
    ])
    func badProcessorValuesNameTheVariable(_ variable: String, _ value: String) {
        #expect { try ProcessorConfiguration(environment: environment([variable: value]), coreCount: 2) } throws: { error in
            (error as? ConfigurationError)?.variable == variable
        }
    }

    @Test(arguments: [
        ("PUBLIC_UPLOAD_URL", "localhost:8081/upload"), ("QUEUE_POLL_SECONDS", "0"), ("EVENT_STREAMS_PER_OWNER", "0"),
        ("ZIP_MAX_IMAGES", "0"), ("ZIP_MAX_BYTES", "many"), ("OPS_PORT", "8080"),
    ])
    func badNotifierValuesNameTheVariable(_ variable: String, _ value: String) {
        #expect { try NotifierConfiguration(environment: environment([variable: value])) } throws: { error in
            (error as? ConfigurationError)?.variable == variable
        }
    }
}
