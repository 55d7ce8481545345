import PipelineSettings
import Testing

@testable import Notifier

@Suite struct NotifierConfigurationContentSecurityPolicyTests {
    @Test func theUploadOriginComesFromTheConfiguration() {
        #expect(NotifierConfiguration.origin(of: "https://pipeline.example.com/upload") == "https://pipeline.example.com")
        #expect(NotifierConfiguration.origin(of: "http://127.0.0.1:18081/upload") == "http://127.0.0.1:18081")
    }
}
