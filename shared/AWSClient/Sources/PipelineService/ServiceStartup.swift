import AWSClient
import Foundation
import Hummingbird
import Logging
import PipelineContract

/// The start of every service's `main`: configuration read once, logging installed.
public enum ServiceStartup {
    /// Reads the configuration; on a bad value prints one line naming the variable and exits 2,
    /// so a service never starts half-configured.
    public static func configuration(for component: PipelineComponent, environment: EnvironmentVariables = EnvironmentVariables()) -> PipelineConfiguration {
        do {
            let configuration = try PipelineConfiguration(environment: environment, component: component)
            PipelineLogging.bootstrap(level: configuration.logLevel, format: configuration.logFormat)
            return configuration
        } catch {
            FileHandle.standardError.write(Data("\(component.rawValue): \(error)\n".utf8))
            exit(2)
        }
    }

    /// Hummingbird's configuration for the service's address.
    public static func applicationConfiguration(_ configuration: PipelineConfiguration, name: String) -> ApplicationConfiguration {
        ApplicationConfiguration(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: name)
    }
}
