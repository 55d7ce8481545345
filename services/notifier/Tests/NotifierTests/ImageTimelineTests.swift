import Foundation
import PipelineContract
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
        let index = ImageIndex()
        await index.apply(ImageEvent(imageID: id, originalKey: key, status: .queued, uploadedAt: at(0)))
        let reached = await index.apply(outcome(.processed, started: 120, finished: 370), at: t0.addingTimeInterval(0.395))
        #expect(reached == .processed)
        let record = try #require(await index.record(id))
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

    @Test func aRedeliveredOutcomeChangesNothingAndCountsOnce() async throws {
        let index = ImageIndex()
        #expect(await index.apply(outcome(.processed, started: 10, finished: 20), at: t0.addingTimeInterval(1)) == .processed)
        let first = try #require(await index.record(id))
        #expect(await index.apply(outcome(.processed, started: 500, finished: 600), at: t0.addingTimeInterval(2)) == nil)
        #expect(await index.record(id)?.notifiedAt == first.notifiedAt)
        #expect(await index.record(id)?.startedAt == first.startedAt)
    }

    @Test func aSuccessAfterAFailureReplacesItsTimesNeverTheReverse() async throws {
        let index = ImageIndex()
        #expect(await index.apply(outcome(.failed, started: 10, finished: 20)) == .failed)
        #expect(await index.apply(outcome(.processed, started: 1000, finished: 1100)) == .processed)
        #expect(await index.apply(outcome(.failed, started: 2000, finished: 2100)) == nil)
        let record = try #require(await index.record(id))
        #expect(record.state == .processed)
        #expect(ImageTimeline(record).processingMilliseconds == 100)
        #expect(record.startedAt == PipelineJSON.date(fromTimestamp: at(1000)))
    }

    @Test func anImageFromAListingGetsItsTimesWhenItsEventComes() async throws {
        let index = ImageIndex()
        await index.noteUpload(inputKey: key, size: 10, uploadedAt: t0)
        await index.noteProcessed(inputKey: key, processedSize: 5, at: nil)
        let listed = try #require(await index.record(id))
        #expect(ImageTimeline(listed).processingMilliseconds == nil)
        #expect(await index.apply(outcome(.processed, started: 50, finished: 80)) == .processed)
        let record = try #require(await index.record(id))
        // Timestamps carry whole milliseconds, truncated: a span may be 1 ms off.
        #expect(abs(try #require(ImageTimeline(record).processingMilliseconds) - 30) <= 1)
    }

    @Test func clockSkewNeverMakesASpanNegative() {
        #expect(ImageTimeline.span(from: t0, to: t0.addingTimeInterval(-0.5)) == 0)
        #expect(ImageTimeline.span(from: nil, to: t0) == nil)
    }
}
