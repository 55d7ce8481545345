import AWSClient
import Foundation
import Hummingbird

/// The start of every service's `main`: configuration read once, logging installed.
public enum ServiceStartup {
    /// Reads the configuration; on a bad value prints one line naming the variable and exits 2,
    /// so a service never starts half-configured.
    public static func configuration<Configuration: ServiceConfiguration>(
        _ type: Configuration.Type, environment: EnvironmentVariables = EnvironmentVariables()
    ) -> Configuration {
        do {
            let configuration = try Configuration(environment: environment)
            PipelineLogging.bootstrap(configuration.shared.logging)
            return configuration
        } catch {
            FileHandle.standardError.write(Data("\(Configuration.serviceName): \(error)\n".utf8))
            exit(2)
        }
    }

    /// Hummingbird's configuration for the service's address.
    public static func applicationConfiguration(_ shared: SharedConfiguration, name: String) -> ApplicationConfiguration {
        ApplicationConfiguration(address: .hostname(shared.httpHost, port: shared.httpPort), serverName: name)
    }
}
