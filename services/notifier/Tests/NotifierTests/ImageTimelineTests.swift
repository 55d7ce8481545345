import Foundation
import PipelineContract
import PipelineTestSupport
import Testing

@testable import Notifier

@Suite struct ImageTimelineTests {
    let id = "44444444-4444-4444-8444-444444444444"
    let key = "44444444-4444-4444-8444-444444444444_photo.png"
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func at(_ milliseconds: Int) -> String { PipelineJSON.timestamp(t0.addingTimeInterval(Double(milliseconds) / 1000)) }

    func outcome(_ status: ImageEvent.Status, started: Int, finished: Int) -> ImageEvent {
        ImageEvent(imageID: id, originalKey: key, processedKey: "processed_\(key)", status: status, startedAt: at(started), finishedAt: at(finished))
    }

    @Test func eventsFillTheTimelineAndTheViewShowsTheSpans() async throws {
        let table = InMemoryImageTable()
        _ = try await table.apply(ImageEvent(imageID: id, originalKey: key, status: .queued, uploadedAt: at(0)), at: t0, expiresAt: nil)
        let write = try await table.apply(outcome(.processed, started: 120, finished: 370), at: t0.addingTimeInterval(0.395), expiresAt: nil)
        #expect(write?.reachedOutcome == .processed)
        let record = try #require(try await table.item(id))
        let timeline = ImageTimeline(record)
        #expect(timeline.queueMilliseconds == 120)
        #expect(timeline.processingMilliseconds == 250)
        #expect(timeline.notificationMilliseconds == 25)

        let json = try #require(try JSONSerialization.jsonObject(with: Data(PipelineJSON.encode(ImageView(record)).utf8)) as? [String: Any])
        let view = try #require(json["timeline"] as? [String: Any])
        #expect(view["queue_ms"] as? Int == 120)
        #expect(view["uploaded_at"] as? String == at(0))
        #expect(view["notified_at"] as? String == at(395))
        #expect(json["download_url"] as? String == "/api/images/\(id)/download")
        #expect(json["download_name"] as? String == "photo-bw.png")
    }

    /// A redelivered outcome keeps the first one's times; a success after a failure (a redrive)
    /// replaces them, never the reverse.
    @Test func theTimesAreTheOutcomesThatCounted() async throws {
        let table = InMemoryImageTable()
        #expect(try await table.apply(outcome(.failed, started: 10, finished: 20), at: t0, expiresAt: nil)?.reachedOutcome == .failed)
        #expect(try await table.apply(outcome(.failed, started: 500, finished: 600), at: t0, expiresAt: nil) == nil)
        #expect(try await table.apply(outcome(.processed, started: 1000, finished: 1100), at: t0, expiresAt: nil)?.reachedOutcome == .processed)
        #expect(try await table.apply(outcome(.failed, started: 2000, finished: 2100), at: t0, expiresAt: nil) == nil)
        let record = try #require(try await table.item(id))
        #expect(record.state == .processed)
        #expect(ImageTimeline(record).processingMilliseconds == 100)
        #expect(record.startedAt == PipelineJSON.date(fromTimestamp: at(1000)))
    }

    /// An item rebuilt from the buckets (`pipeline-setup reindex`) has no event times until its
    /// outcome's event comes.
    @Test func aRestoredImageGetsItsTimesWhenItsEventComes() async throws {
        let table = InMemoryImageTable()
        var restored = ImageItem(imageID: id, originalKey: key, state: .processed, uploadedAt: t0)
        restored.processedKey = "processed_\(key)"
        #expect(try await table.restore(restored))
        #expect(ImageTimeline(restored).processingMilliseconds == nil)
        #expect(try await table.apply(outcome(.processed, started: 50, finished: 80), at: t0, expiresAt: nil)?.reachedOutcome == .processed)
        let record = try #require(try await table.item(id))
        // Timestamps carry whole milliseconds, truncated: a span may be 1 ms off.
        #expect(abs(try #require(ImageTimeline(record).processingMilliseconds) - 30) <= 1)
    }

    @Test func clockSkewNeverMakesASpanNegative() {
        #expect(ImageTimeline.span(from: t0, to: t0.addingTimeInterval(-0.5)) == 0)
        #expect(ImageTimeline.span(from: nil, to: t0) == nil)
    }
}
