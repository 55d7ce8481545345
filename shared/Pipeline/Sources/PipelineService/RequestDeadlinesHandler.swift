import NIOCore
import NIOHTTPTypes

/// What a route reading a request body gets when the body stopped arriving (no byte for the body
/// idle timeout): it answers 408, and the connection is closed after the answer.
public struct RequestBodyIdle: Error, Sendable, CustomStringConvertible {
    public let timeout: Duration
    public var description: String { "no byte of the request body arrived for \(timeout)" }
}

/// Two clocks on every connection, so that a client cannot hold one by sending slowly:
/// - the first request head must be whole within the header timeout, or the connection is
///   closed (later heads on a kept-alive connection are bounded by the server's idle timeout,
///   which restarts only when a whole HTTP part arrives);
/// - a request body that sends nothing for the body idle timeout is failed with
///   ``RequestBodyIdle``, which reaches the route reading it (the upload answers 408 and undoes
///   its work) while the connection can still carry the answer.
///
/// Only a timestamp is written per body part; one timer per connection checks it. Times are
/// the event loop's (`EventLoop.now`), so tests drive them on an embedded loop.
final class RequestDeadlinesHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    let headerTimeout: TimeAmount
    let bodyIdleTimeout: TimeAmount
    private var awaitingFirstHead = true
    private var readingBody = false
    private var lastBodyPart = NIODeadline.uptimeNanoseconds(0)
    private var timer: Scheduled<Void>?

    init(headerTimeout: TimeAmount, bodyIdleTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
        self.bodyIdleTimeout = bodyIdleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { schedule(context, at: context.eventLoop.now + headerTimeout) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if timer == nil, awaitingFirstHead { schedule(context, at: context.eventLoop.now + headerTimeout) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            awaitingFirstHead = false
            readingBody = true
            lastBodyPart = context.eventLoop.now
            cancelTimer()
            schedule(context, at: lastBodyPart + bodyIdleTimeout)
        case .body:
            lastBodyPart = context.eventLoop.now
        case .end:
            readingBody = false
            cancelTimer()
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private func schedule(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = loopBound.value
            handler.fired(context)
        }
    }

    private func fired(_ context: ChannelHandlerContext) {
        timer = nil
        if awaitingFirstHead {
            context.close(promise: nil)
        } else if readingBody {
            let idleUntil = lastBodyPart + bodyIdleTimeout
            guard idleUntil <= context.eventLoop.now else { return schedule(context, at: idleUntil) }
            readingBody = false
            let seconds = bodyIdleTimeout.nanoseconds / 1_000_000_000
            context.fireErrorCaught(RequestBodyIdle(timeout: .seconds(seconds)))
        }
    }
}
