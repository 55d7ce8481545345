import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import PipelineService

/// The connection's clocks: a first request head late closes it; a body that stops arriving
/// fails its reader with ``RequestBodyIdle`` and leaves the connection open for the answer.
@Suite struct RequestDeadlinesHandlerTests {
    final class ErrorCatcher: ChannelInboundHandler {
        typealias InboundIn = HTTPRequestPart
        var errors: [any Error] = []
        func errorCaught(context: ChannelHandlerContext, error: any Error) { errors.append(error) }
    }

    static func channel() throws -> (EmbeddedChannel, ErrorCatcher) {
        let catcher = ErrorCatcher()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(RequestDeadlinesHandler(headerTimeout: .seconds(10), bodyIdleTimeout: .seconds(30)))
        try channel.pipeline.syncOperations.addHandler(catcher)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, catcher)
    }

    static let head = HTTPRequestPart.head(HTTPRequest(method: .post, scheme: "http", authority: "x", path: "/upload"))

    @Test func aFirstHeadThatIsLateClosesTheConnection() throws {
        let (channel, _) = try Self.channel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test func aBodyThatStopsFailsItsReaderOnly() throws {
        let (channel, catcher) = try Self.channel()
        try channel.writeInbound(Self.head)
        channel.embeddedEventLoop.advanceTime(by: .seconds(20))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "a")))
        channel.embeddedEventLoop.advanceTime(by: .seconds(20))
        #expect(catcher.errors.isEmpty, "a byte 20 s ago: not idle yet")
        channel.embeddedEventLoop.advanceTime(by: .seconds(11))
        #expect(catcher.errors.count == 1)
        #expect(catcher.errors.first is RequestBodyIdle)
        #expect(channel.isActive, "open, so that the 408 can be sent")
        _ = try? channel.finish()
    }

    @Test func aWholeRequestStopsTheClocks() throws {
        let (channel, catcher) = try Self.channel()
        try channel.writeInbound(Self.head)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(120))
        #expect(catcher.errors.isEmpty)
        #expect(channel.isActive)
        _ = try? channel.finish()
    }
}
