/// A variable of the environment that is missing or has a bad value.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var variable: String
    public var reason: String

    public init(variable: String, reason: String) {
        self.variable = variable
        self.reason = reason
    }

    /// One line naming the variable, suitable as the only output of a service refusing to start.
    public var description: String { "configuration error: \(variable) \(reason)" }
}
