import Foundation
import Hummingbird
import HummingbirdTesting
import PipelineContract
import PipelineService
import PipelineSettings
import Testing

@testable import Notifier

/// Open event streams are limited per caller and per notifier; past either, 429 with Retry-After.
@Suite struct EventStreamLimitTests {
    @Test func theHubCountsStreamsPerCallerAndInAll() async throws {
        let hub = ImageChangeHub(limits: .init(perOwner: 2, perTask: 3))
        // Each stream is held as a page holds it: one dropped unread gives its place back.
        var held: [AsyncStream<ImageChange>] = []
        let ann1 = try await hub.subscribe(owner: "ann", caller: "ann", lastEventID: nil)
        held.append(try await hub.subscribe(owner: "ann", caller: "ann", lastEventID: nil).stream)
        await #expect(throws: ImageChangeHub.LimitReached(perOwner: true, limit: 2)) {
            _ = try await hub.subscribe(owner: "ann", caller: "ann", lastEventID: nil)
        }
        // An administrator's streams (everyone's changes) count against their own name.
        held.append(try await hub.subscribe(owner: nil, caller: "root", lastEventID: nil).stream)
        await #expect(throws: ImageChangeHub.LimitReached(perOwner: false, limit: 3)) {
            _ = try await hub.subscribe(owner: "bob", caller: "bob", lastEventID: nil)
        }
        await hub.unsubscribe(ann1.id)
        let bob = try await hub.subscribe(owner: "bob", caller: "bob", lastEventID: nil)
        #expect(await hub.subscriberCount == 3)
        // A stream dropped without being read (an answer never sent) gives its place back too.
        held.removeAll()
        _ = bob
        try await Task.sleep(for: .milliseconds(200))
        #expect(await hub.subscriberCount == 1, "bob's, still held")
        withExtendedLifetime(bob) {}
    }

    @Test func aStreamPastTheLimitIs429() async throws {
        let harness = try NotifierHarness()
        var open: [AsyncStream<ImageChange>] = []
        for _ in 0..<NotifierConfiguration.StreamLimits().perOwner {
            open.append(try await harness.hub.subscribe(owner: "local", caller: "local", lastEventID: nil).stream)
        }
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/events", method: .get) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "10")
                let body = try jsonObject(response.body)
                #expect(body["error"] as? String == "too_many_streams")
            }
        }
        withExtendedLifetime(open) {}
    }
}
