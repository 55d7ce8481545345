import AWSClient
import PipelineContract

extension ImageLimits {
    /// MAX_UPLOAD_BYTES and MAX_PIXELS, with the table's defaults.
    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        self.init(
            maxUploadBytes: try environment.int("MAX_UPLOAD_BYTES", default: Self.defaultMaxUploadBytes, range: 1...(1 << 32)),
            maxPixels: try environment.int("MAX_PIXELS", default: Self.defaultMaxPixels, range: 1...(1 << 40))
        )
    }
}
