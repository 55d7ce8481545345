import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import PipelineContract
import PipelineTestSupport
import Testing

@testable import Notifier

@Suite struct EventStreamRouteTests {
    let id1 = "bbbbbbbb-0000-4000-8000-000000000001"

    @Test func eventStreamCarriesChangesWithIDsAndHeartbeats() async throws {
        let harness = try NotifierHarness(heartbeat: .milliseconds(200))
        try await harness.upload(id1)
        try await harness.application.test(.live) { client in
            let port = try #require(client.port)
            let reader = try await SSEReader.connect(port: port)
            try await harness.process(id1, via: .queue)
            try await harness.consumer.consumeOnce()
            let frames = try await reader.read(until: { $0.contains("\"state\":\"processed\"") && $0.contains(": heartbeat") })
            #expect(frames.contains("event: image"))
            #expect(frames.contains("id: "))
            #expect(frames.contains("retry: 2000"))
            await reader.close()
            // Reconnecting with the last id replays what came after it.
            let lastID = try #require(frames.split(separator: "\n").last { $0.hasPrefix("id: ") }.map { String($0.dropFirst(4)) })
            let firstID = lastID.split(separator: ".").first.map { "\($0).0" } ?? ""
            let replay = try await SSEReader.connect(port: port, lastEventID: firstID)
            let replayed = try await replay.read(until: { $0.contains("\"state\":\"processed\"") })
            #expect(replayed.contains(id1))
            await replay.close()
            let stale = try await SSEReader.connect(port: port, lastEventID: "anotherreplica.5")
            #expect(try await stale.read(until: { $0.contains("event: resync") }).contains("resync"))
            await stale.close()
        }
    }
}
