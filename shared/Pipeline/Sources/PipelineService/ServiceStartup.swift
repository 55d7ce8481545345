import AWSClient
import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import PipelineSettings

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

    /// Makes NIO's event loops Swift Concurrency's global executor. Call it first in `main`.
    ///
    /// Every AWS call hops between the task that awaits it and the event loop that does its I/O;
    /// on Dispatch's pool each hop wakes another thread, on the event loops the task resumes
    /// where its response arrived. Nothing of ours blocks a concurrency thread: the engine runs on
    /// `NIOThreadPool`, files go through NIO's file system; the longest thing an upload does on
    /// its task is hashing a 5 MiB part (about 2.5 ms). All three services use it
    /// (docs/performance.md#tasks-on-nios-event-loops).
    public static func runTasksOnEventLoops() {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// Hummingbird's configuration for the service's address.
    public static func applicationConfiguration(_ shared: SharedConfiguration, name: String) -> ApplicationConfiguration {
        ApplicationConfiguration(address: .hostname(shared.httpHost, port: shared.httpPort), serverName: name)
    }
}
