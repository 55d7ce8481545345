import Crypto
import NIOCore
import PipelineContract
import Synchronization

/// The SHA-256 of a body as it streams past: how a retry under an `Idempotency-Key` is told
/// apart from another upload under the same key.
final class BodyDigest: Sendable {
    private let hasher = Mutex(SHA256())
    private let result = Mutex<SHA256.Digest?>(nil)
    private let bytes = Atomic<Int>(0)

    /// `body`, its chunks seen by this digest on their way; the digest is final at its end.
    func reading(_ body: ObjectBodyStream) -> ObjectBodyStream {
        let source = body.makeAsyncIterator()
        return ObjectBodyStream { [self] in
            var iterator = source
            guard let chunk = try await iterator.next() else {
                result.withLock { result in
                    if result == nil { result = hasher.withLock { $0.finalize() } }
                }
                return nil
            }
            hasher.withLock { hasher in chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) } }
            bytes.add(chunk.readableBytes, ordering: .relaxed)
            return chunk
        }
    }

    /// The digest, once the body has ended (nil before).
    var value: SHA256.Digest? { result.withLock { $0 } }

    /// The bytes seen so far.
    var byteCount: Int { bytes.load(ordering: .relaxed) }
}
