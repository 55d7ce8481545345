import AWSClient
import Foundation
import Synchronization

/// Typed reads of environment variables; an empty value counts as unset.
///
/// A reader made with ``recordingReads(_:)`` also notes every variable read and the value it took
/// (defaults included), which is how `pipeline-setup configuration` shows a service's settings.
public struct EnvironmentVariables: Sendable {
    public var values: [String: String]
    let reads: ReadLog?

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
        self.reads = nil
    }

    /// A reader that notes what is read; see ``readValues``.
    public static func recordingReads(_ values: [String: String] = ProcessInfo.processInfo.environment) -> EnvironmentVariables {
        EnvironmentVariables(values: values, reads: ReadLog())
    }

    private init(values: [String: String], reads: ReadLog?) {
        self.values = values
        self.reads = reads
    }

    /// Each variable read so far and the value it took (nil: unset, no default), when recording.
    /// Values of secrets (a name with SECRET, TOKEN or PASSWORD in it) read as `(set)`.
    public var readValues: [String: String?] { reads?.values.withLock { $0 } ?? [:] }

    /// The value, or nil when unset or empty.
    public subscript(_ name: String) -> String? {
        noted(name, raw(name))
    }

    public func string(_ name: String, default defaultValue: String) -> String {
        noted(name, raw(name) ?? defaultValue)
    }

    public func required(_ name: String) throws(ConfigurationError) -> String {
        guard let value = noted(name, raw(name)) else { throw ConfigurationError(variable: name, reason: "is required but not set") }
        return value
    }

    public func int(_ name: String, default defaultValue: Int, range: ClosedRange<Int> = Int.min...Int.max) throws(ConfigurationError) -> Int {
        guard let text = raw(name) else { return noted(name, defaultValue) }
        guard let value = Int(text) else {
            throw ConfigurationError(variable: name, reason: "must be a whole number, not \"\(text)\"")
        }
        guard range.contains(value) else {
            throw ConfigurationError(variable: name, reason: "must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
        }
        return noted(name, value)
    }

    public func bool(_ name: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let text = raw(name) else { return noted(name, defaultValue) }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return noted(name, true)
        case "0", "false", "no", "off": return noted(name, false)
        default: throw ConfigurationError(variable: name, reason: "must be true or false, not \"\(text)\"")
        }
    }

    /// A choice among fixed lower-case words.
    public func choice(_ name: String, default defaultValue: String, among choices: [String]) throws(ConfigurationError) -> String {
        guard let text = raw(name)?.lowercased() else { return noted(name, defaultValue) }
        guard choices.contains(text) else {
            throw ConfigurationError(variable: name, reason: "must be one of \(choices.joined(separator: ", ")), not \"\(text)\"")
        }
        return noted(name, text)
    }

    /// An absolute http(s) URL.
    public func url(_ name: String, default defaultValue: String? = nil) throws(ConfigurationError) -> AWSEndpoint? {
        guard let text = raw(name) ?? defaultValue else { return noted(name, nil) }
        do {
            return noted(name, try AWSEndpoint(parsing: text))
        } catch {
            throw ConfigurationError(variable: name, reason: "must be an http:// or https:// URL, not \"\(text)\"")
        }
    }

    private func raw(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    private func noted<Value>(_ name: String, _ value: Value?) -> Value? {
        if let reads {
            let secret = ["SECRET", "TOKEN", "PASSWORD"].contains { name.contains($0) }
            let shown = value.map { secret ? "(set)" : "\($0)" }
            reads.values.withLock { $0[name] = .some(shown) }
        }
        return value
    }

    private func noted<Value>(_ name: String, _ value: Value) -> Value {
        let _: Value? = noted(name, Optional(value))
        return value
    }
}

/// The variables a recording reader has read (a reference, so that copies of the reader share it).
final class ReadLog: Sendable {
    let values = Mutex<[String: String?]>([:])
}
