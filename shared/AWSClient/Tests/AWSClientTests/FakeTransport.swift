import AWSClient
import NIOCore
import NIOHTTP1
import Synchronization

/// A transport that answers from a script and records what was sent.
final class FakeTransport: AWSHTTPTransport {
    enum Answer: Sendable {
        case response(AWSHTTPResponse)
        case error(AWSError)
    }

    private let state = Mutex<(answers: [Answer], requests: [AWSHTTPRequest])>(([], []))

    init(_ answers: [Answer] = []) {
        state.withLock { $0.answers = answers }
    }

    static func ok(_ body: String = "", status: Int = 200, headers: HTTPHeaders = [:]) -> Answer {
        .response(AWSHTTPResponse(status: status, headers: headers, body: ByteBuffer(string: body)))
    }

    var requests: [AWSHTTPRequest] { state.withLock { $0.requests } }

    func execute(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        let answer = state.withLock { state -> Answer? in
            state.requests.append(request)
            return state.answers.isEmpty ? nil : state.answers.removeFirst()
        }
        switch answer {
        case .response(let response): return response
        case .error(let error): throw error
        case nil: throw AWSError.transport("no scripted answer left")
        }
    }
}

/// Records retry waits instead of sleeping.
final class SleepRecorder: Sendable {
    private let waits = Mutex<[Duration]>([])
    var recorded: [Duration] { waits.withLock { $0 } }
    var sleep: @Sendable (Duration) async throws -> Void {
        { duration in self.waits.withLock { $0.append(duration) } }
    }
}
