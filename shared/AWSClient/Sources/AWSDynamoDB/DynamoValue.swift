import Foundation

/// One DynamoDB attribute value in the wire's typed JSON (`{"S": "text"}`, `{"N": "42"}`, ...).
public indirect enum DynamoValue: Sendable, Hashable, Codable {
    case string(String)
    /// A number, kept as DynamoDB's decimal text so that nothing is lost to a binary float.
    case number(String)
    case binary(Data)
    case bool(Bool)
    case null
    case map([String: DynamoValue])
    case list([DynamoValue])
    case stringSet([String])
    case numberSet([String])

    /// A whole number.
    public static func int(_ value: Int) -> DynamoValue { .number(String(value)) }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var intValue: Int? {
        if case .number(let text) = self { return Int(text) }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    private enum Tag: String, CodingKey {
        case S, N, B, BOOL, NULL, M, L, SS, NS
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Tag.self)
        guard let tag = container.allKeys.first, container.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "an attribute value has exactly one type"))
        }
        switch tag {
        case .S: self = .string(try container.decode(String.self, forKey: tag))
        case .N: self = .number(try container.decode(String.self, forKey: tag))
        case .B:
            guard let data = Data(base64Encoded: try container.decode(String.self, forKey: tag)) else {
                throw DecodingError.dataCorruptedError(forKey: tag, in: container, debugDescription: "B is not base64")
            }
            self = .binary(data)
        case .BOOL: self = .bool(try container.decode(Bool.self, forKey: tag))
        case .NULL: self = .null
        case .M: self = .map(try container.decode([String: DynamoValue].self, forKey: tag))
        case .L: self = .list(try container.decode([DynamoValue].self, forKey: tag))
        case .SS: self = .stringSet(try container.decode([String].self, forKey: tag))
        case .NS: self = .numberSet(try container.decode([String].self, forKey: tag))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Tag.self)
        switch self {
        case .string(let value): try container.encode(value, forKey: .S)
        case .number(let value): try container.encode(value, forKey: .N)
        case .binary(let value): try container.encode(value.base64EncodedString(), forKey: .B)
        case .bool(let value): try container.encode(value, forKey: .BOOL)
        case .null: try container.encode(true, forKey: .NULL)
        case .map(let value): try container.encode(value, forKey: .M)
        case .list(let value): try container.encode(value, forKey: .L)
        case .stringSet(let value): try container.encode(value, forKey: .SS)
        case .numberSet(let value): try container.encode(value, forKey: .NS)
        }
    }
}

/// An item, or a key: attribute names to values.
public typealias DynamoItem = [String: DynamoValue]
