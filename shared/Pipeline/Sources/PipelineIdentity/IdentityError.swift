/// Why a request has no identity; every case answers 401. The reason is for logs, never for the
/// response body (a caller learns only that its credentials were not accepted).
public enum IdentityError: Error, Equatable, CustomStringConvertible {
    /// No credentials where they were required.
    case missing(String)
    /// Credentials that did not verify: a bad signature, another signer, expired, a refused algorithm...
    case invalid(String)
    /// The keys to verify with could not be had (the key URL did not answer).
    case keysUnavailable(String)

    public var description: String {
        switch self {
        case .missing(let what): "no \(what)"
        case .invalid(let why): "not accepted: \(why)"
        case .keysUnavailable(let why): "keys unavailable: \(why)"
        }
    }
}
