/// The groups a token puts its subject in: Cognito's `cognito:groups`, else an OIDC provider's
/// `groups`, else none.
enum GroupsClaim: String, CodingKey {
    case cognito = "cognito:groups"
    case plain = "groups"

    static func decode(from decoder: any Decoder) throws -> [String] {
        let container = try decoder.container(keyedBy: GroupsClaim.self)
        return try container.decodeIfPresent([String].self, forKey: .cognito) ?? container.decodeIfPresent([String].self, forKey: .plain) ?? []
    }
}
