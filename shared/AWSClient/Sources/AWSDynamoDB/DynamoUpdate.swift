/// Builds an update expression with its placeholders: every attribute name becomes `#name`, every
/// value `:vN`, so reserved words (`owner`, `state`...) need no care.
public struct DynamoUpdate: Sendable {
    private var sets: [String] = []
    private var removes: [String] = []
    public private(set) var placeholders = DynamoExpressionValues()

    public init() {}

    /// `#name`, registered.
    public mutating func name(_ attribute: String) -> String {
        let placeholder = "#\(attribute.filter { $0.isLetter || $0.isNumber || $0 == "_" })"
        placeholders.names[placeholder] = attribute
        return placeholder
    }

    /// `:vN`, registered.
    public mutating func value(_ value: DynamoValue) -> String {
        let placeholder = ":v\(placeholders.values.count)"
        placeholders.values[placeholder] = value
        return placeholder
    }

    /// `SET #attribute = :value`.
    public mutating func set(_ attribute: String, _ value: DynamoValue) {
        sets.append("\(name(attribute)) = \(self.value(value))")
    }

    /// `SET #attribute = :value` when `value` is not nil.
    public mutating func set(_ attribute: String, ifPresent value: DynamoValue?) {
        if let value { set(attribute, value) }
    }

    /// `SET #attribute = if_not_exists(#attribute, :value)`: kept when already there.
    public mutating func setIfAbsent(_ attribute: String, _ value: DynamoValue?) {
        guard let value else { return }
        let placeholder = name(attribute)
        sets.append("\(placeholder) = if_not_exists(\(placeholder), \(self.value(value)))")
    }

    /// `REMOVE #attribute`.
    public mutating func remove(_ attribute: String) {
        removes.append(name(attribute))
    }

    /// The whole expression.
    public var expression: String {
        var parts: [String] = []
        if !sets.isEmpty { parts.append("SET " + sets.joined(separator: ", ")) }
        if !removes.isEmpty { parts.append("REMOVE " + removes.joined(separator: ", ")) }
        return parts.joined(separator: " ")
    }
}
