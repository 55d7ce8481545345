import Foundation

/// Carries a value out of a `@Sendable` response check.
final class ResultBox: @unchecked Sendable {
    var value: [String: String]?
}
