import Foundation
import Logging
import PipelineTestSupport
import Prometheus
import PipelineContract
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

@testable import Notifier

/// The index rebuilt from the buckets alone, as at start and on POST /api/refresh.
@Suite struct IndexRebuilderTests {
    let ids = ["aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002", "aaaaaaaa-0000-4000-8000-000000000003"]

    @Test func rebuildFromTheBucketsAlone() async throws {
        let harness = try NotifierHarness()
        for id in ids { try await harness.upload(id) }
        try await harness.process(ids[1])
        try await harness.fail(ids[2], reason: "The PNG data is corrupt.")
        try await harness.rebuilder.rebuild()
        #expect(await harness.index.record(ids[0])?.state == .queued)
        #expect(await harness.index.record(ids[1])?.state == .processed)
        #expect(await harness.index.record(ids[2])?.state == .failed)
        #expect(await harness.index.record(ids[2])?.error == "The PNG data is corrupt.")
        // A restart: a new index from the same buckets knows the same.
        let restarted = try NotifierHarness()
        let rebuilder = IndexRebuilder(index: restarted.index, inputBucket: harness.input, processedBucket: harness.processed, logger: .init(label: "t"))
        try await rebuilder.rebuild()
        for id in ids { #expect(await restarted.index.record(id)?.state == harness.index.record(id)?.state) }
        // A second rebuild reads no marker again.
        let reads = harness.processed.calls.filter { $0.hasPrefix("get ") }.count
        try await harness.rebuilder.rebuild()
        #expect(harness.processed.calls.filter { $0.hasPrefix("get ") }.count == reads)
    }
}
