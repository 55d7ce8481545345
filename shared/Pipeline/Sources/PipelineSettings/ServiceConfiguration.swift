/// A service's whole configuration: the shared part and its own, read once at start.
public protocol ServiceConfiguration: Sendable {
    /// The service's name, for its log label and start-up errors.
    static var serviceName: String { get }
    var shared: SharedConfiguration { get }
    /// Reads every variable the service needs; a bad value throws naming the variable.
    init(environment: EnvironmentVariables) throws(ConfigurationError)
}
