import NIOCore
import NIOHTTP1

extension NIOHTTPTransport {
    /// One request on its way and the promise of its whole response.
    ///
    /// Touched only on its connection's event loop after it is written (the handler, and the
    /// write's completion), hence `@unchecked Sendable`.
    final class Exchange: @unchecked Sendable {
        struct Result: Sendable {
            var response: AWSHTTPResponse
            /// The connection may carry the next request.
            var keepAlive: Bool
        }

        let head: HTTPRequestHead
        let body: ByteBuffer?
        /// Until the response head arrives.
        let deadline: NIODeadline
        /// The longest silence while the body arrives.
        let readTimeout: TimeAmount
        /// The most body accepted on success (an error document may have 64 KiB).
        let limit: Int
        let promise: EventLoopPromise<Result>
        /// The whole request went out (a response that ends before is not followed by another).
        var requestSent = false
        private var finished = false

        init(head: HTTPRequestHead, body: ByteBuffer?, deadline: NIODeadline, readTimeout: TimeAmount, limit: Int, promise: EventLoopPromise<Result>) {
            self.head = head
            self.body = body
            self.deadline = deadline
            self.readTimeout = readTimeout
            self.limit = limit
            self.promise = promise
        }

        /// Completes the exchange; later outcomes (a close after a timeout, say) are dropped.
        func finish(_ result: Swift.Result<Result, ExchangeFailure>) {
            guard !finished else { return }
            finished = true
            promise.completeWith(result.mapError { $0 as any Error })
        }
    }

    /// Why an exchange failed, and whether any of the response had arrived.
    struct ExchangeFailure: Error {
        enum Reason {
            case timeout
            case tooLarge
            case closed
            case io(any Error)
        }

        var reason: Reason
        /// Some of the response arrived: the server took the request.
        var answered: Bool

        /// The connection was gone before any answer: on a reused connection, the server had
        /// closed it while idle.
        var isLostConnection: Bool {
            switch reason {
            case .closed, .io: !answered
            case .timeout, .tooLarge: false
            }
        }
    }

    /// Sends each exchange written to it and collects its response; one at a time per connection.
    final class ExchangeHandler: ChannelDuplexHandler {
        typealias InboundIn = HTTPClientResponsePart
        typealias OutboundIn = Exchange
        typealias OutboundOut = HTTPClientRequestPart

        private var current: Exchange?
        private var head: HTTPResponseHead?
        private var body = ByteBuffer()
        private var limit = 0
        private var lastRead = NIODeadline.now()
        private var timer: Scheduled<Void>?

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            let exchange = unwrapOutboundIn(data)
            guard current == nil else {
                // The transport never shares a busy connection; refuse rather than interleave.
                let error = ExchangeFailure(reason: .io(ChannelError.inappropriateOperationForState), answered: false)
                exchange.finish(.failure(error))
                promise?.fail(error)
                return
            }
            current = exchange
            head = nil
            body = ByteBuffer()
            let loop = context.eventLoop.assumeIsolated()
            timer = loop.scheduleTask(deadline: exchange.deadline) { [weak self, context] in
                self?.fail(.timeout, context: context)
            }
            context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
            if let body = exchange.body, body.readableBytes > 0 {
                context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            }
            // Marked here, not by the caller's callback: that one may run after a quick answer.
            let sent = context.eventLoop.makePromise(of: Void.self)
            sent.futureResult.assumeIsolated().whenSuccess { exchange.requestSent = true }
            sent.futureResult.cascade(to: promise)
            context.write(wrapOutboundOut(.end(nil)), promise: sent)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard let exchange = current else { return }
            switch unwrapInboundIn(data) {
            case .head(let responseHead):
                timer?.cancel()
                // 1xx heads (100 Continue) are not the answer; the decoder passes them on.
                guard responseHead.status.code >= 200 else { return }
                head = responseHead
                limit = (200..<300).contains(responseHead.status.code) ? exchange.limit : max(exchange.limit, 64 * 1024)
                // A HEAD response declares the object's size but carries no body.
                let declared = exchange.head.method == .HEAD ? nil : responseHead.headers.first(name: "Content-Length").flatMap { Int($0) }
                if let declared, declared > limit {
                    fail(.tooLarge, context: context)
                    return
                }
                body = context.channel.allocator.buffer(capacity: declared ?? 0)
                lastRead = .now()
                watchForSilence(context: context, after: exchange.readTimeout)
            case .body(var chunk):
                guard chunk.readableBytes <= limit - body.readableBytes else {
                    fail(.tooLarge, context: context)
                    return
                }
                body.writeBuffer(&chunk)
                lastRead = .now()
            case .end:
                timer?.cancel()
                guard let head else {
                    fail(.io(ChannelError.inappropriateOperationForState), context: context)
                    return
                }
                current = nil
                let response = AWSHTTPResponse(status: Int(head.status.code), headers: head.headers, body: body)
                body = ByteBuffer()
                exchange.finish(.success(Exchange.Result(response: response, keepAlive: head.isKeepAlive && exchange.requestSent)))
            }
        }

        /// Fails the exchange when no byte of the body came for `readTimeout`; rearms itself
        /// from the last read rather than on every chunk.
        private func watchForSilence(context: ChannelHandlerContext, after delay: TimeAmount) {
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [weak self, context] in
                guard let self, let exchange = self.current else { return }
                let silence = NIODeadline.now() - self.lastRead
                if silence >= exchange.readTimeout {
                    self.fail(.timeout, context: context)
                } else {
                    self.watchForSilence(context: context, after: exchange.readTimeout - silence)
                }
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            fail(.closed, context: context)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            fail(.io(error), context: context)
        }

        /// Ends the exchange under way with `reason` and closes the connection (its state is
        /// unknown now).
        private func fail(_ reason: ExchangeFailure.Reason, context: ChannelHandlerContext) {
            timer?.cancel()
            timer = nil
            if let exchange = current {
                current = nil
                exchange.finish(.failure(ExchangeFailure(reason: reason, answered: head != nil)))
            }
            context.close(promise: nil)
        }
    }
}
