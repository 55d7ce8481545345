import Foundation

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

/// Typed reads of environment variables; an empty value counts as unset.
public struct EnvironmentVariables: Sendable {
    public var values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    /// The value, or nil when unset or empty.
    public subscript(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    public func string(_ name: String, default defaultValue: String) -> String {
        self[name] ?? defaultValue
    }

    public func required(_ name: String) throws(ConfigurationError) -> String {
        guard let value = self[name] else { throw ConfigurationError(variable: name, reason: "is required but not set") }
        return value
    }

    public func int(_ name: String, default defaultValue: Int, range: ClosedRange<Int> = Int.min...Int.max) throws(ConfigurationError) -> Int {
        guard let text = self[name] else { return defaultValue }
        guard let value = Int(text) else {
            throw ConfigurationError(variable: name, reason: "must be a whole number, not \"\(text)\"")
        }
        guard range.contains(value) else {
            throw ConfigurationError(variable: name, reason: "must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
        }
        return value
    }

    public func bool(_ name: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let text = self[name] else { return defaultValue }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(variable: name, reason: "must be true or false, not \"\(text)\"")
        }
    }

    /// A choice among fixed lower-case words.
    public func choice(_ name: String, default defaultValue: String, among choices: [String]) throws(ConfigurationError) -> String {
        guard let text = self[name]?.lowercased() else { return defaultValue }
        guard choices.contains(text) else {
            throw ConfigurationError(variable: name, reason: "must be one of \(choices.joined(separator: ", ")), not \"\(text)\"")
        }
        return text
    }

    /// An absolute http(s) URL.
    public func url(_ name: String, default defaultValue: String? = nil) throws(ConfigurationError) -> AWSEndpoint? {
        guard let text = self[name] ?? defaultValue else { return nil }
        do {
            return try AWSEndpoint(parsing: text)
        } catch {
            throw ConfigurationError(variable: name, reason: "must be an http:// or https:// URL, not \"\(text)\"")
        }
    }
}
