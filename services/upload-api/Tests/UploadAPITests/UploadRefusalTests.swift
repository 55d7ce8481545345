import Hummingbird
import HummingbirdTesting
import PipelineContract
import PipelineTestSupport
import Testing

@testable import UploadAPI

/// Every refusal: the status the README's refusal table gives, JSON {"error","message"}, and nothing stored or queued.
@Suite struct UploadRefusalTests {
    func expectRefused(
        _ harness: UploadHarness, headers: HTTPFields, body: [UInt8]?, uri: String = "/upload",
        status: HTTPResponse.Status, code: String
    ) async throws {
        try await harness.send(uri, headers: headers, body: body) { response in
            #expect(response.status == status)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let answer = try json(response)
            #expect(answer["error"] == code)
            #expect(!(answer["message"] ?? "").isEmpty)
        }
        #expect(harness.store.keys.isEmpty, "nothing stored")
        #expect(harness.queue.bodies.isEmpty, "nothing queued")
    }

    @Test func noFileField() async throws {
        var form = Multipart()
        form.parts.append((name: "other", filename: nil, contentType: nil, data: Array("x".utf8)))
        try await expectRefused(UploadHarness(), headers: form.headers, body: form.body, status: .badRequest, code: "no_file")
    }

    @Test func noBodyAtAll() async throws {
        try await expectRefused(UploadHarness(), headers: [:], body: nil, status: .badRequest, code: "empty_file")
    }

    @Test func emptyFile() async throws {
        let form = Multipart.image([])
        try await expectRefused(UploadHarness(), headers: form.headers, body: form.body, status: .badRequest, code: "empty_file")
    }

    @Test(arguments: [
        "this is not multipart at all",
        "--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\n\u{89}PNG cut short",
    ])
    func malformedMultipart(_ text: String) async throws {
        try await expectRefused(UploadHarness(), headers: Multipart().headers, body: Array(text.utf8), status: .badRequest, code: "malformed_request")
    }

    @Test func multipartWithoutBoundary() async throws {
        try await expectRefused(
            UploadHarness(), headers: [.contentType: "multipart/form-data"], body: Array("x".utf8), status: .badRequest, code: "malformed_request"
        )
    }

    @Test func oversizeBodyDeclared() async throws {
        let harness = try UploadHarness(maxUploadBytes: 1000)
        let png = TestPNG.make(width: 40, height: 40)
        try await expectRefused(
            harness, headers: [.contentType: "image/png", .contentLength: String(png.count)], body: png, status: .contentTooLarge, code: "too_large"
        )
    }

    @Test func oversizeBodyStreamedWithoutLength() async throws {
        let harness = try UploadHarness(maxUploadBytes: 1000)
        let form = Multipart.image(TestPNG.make(width: 40, height: 40))
        try await expectRefused(harness, headers: form.headers, body: form.body, status: .contentTooLarge, code: "too_large")
    }

    @Test func textNamedPNG() async throws {
        let form = Multipart.image(Array("just some text, not an image".utf8), filename: "fake.png")
        try await expectRefused(UploadHarness(), headers: form.headers, body: form.body, status: .unsupportedMediaType, code: "not_png")
    }

    @Test func rawNonPNGDeclaredAsPNG() async throws {
        try await expectRefused(
            UploadHarness(), headers: [.contentType: "image/png"], body: [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], status: .unsupportedMediaType, code: "not_png"
        )
    }

    /// Ways to break the IHDR of a valid PNG.
    enum HeaderDamage: CaseIterable, Sendable {
        case badCRC, badColourType, badBitDepth, zeroWidth, notIHDRFirst, truncated

        func apply(to png: [UInt8]) -> [UInt8] {
            let signature = Array(png[0..<8])
            switch self {
            case .badCRC: var damaged = png; damaged[29] ^= 0xff; return damaged
            case .badColourType: return signature + TestPNG.chunk("IHDR", TestPNG.ihdr(width: 4, height: 4, bitDepth: 8, colorType: 5))
            case .badBitDepth: return signature + TestPNG.chunk("IHDR", TestPNG.ihdr(width: 4, height: 4, bitDepth: 3, colorType: 0))
            case .zeroWidth: return signature + TestPNG.chunk("IHDR", TestPNG.ihdr(width: 0, height: 4, bitDepth: 8, colorType: 0))
            case .notIHDRFirst: return signature + TestPNG.chunk("CgBI", [0, 0, 0, 0]) + Array(png[8...])
            case .truncated: return Array(png[0..<20])
            }
        }
    }

    @Test(arguments: HeaderDamage.allCases)
    func brokenHeader(_ damage: HeaderDamage) async throws {
        let form = Multipart.image(damage.apply(to: TestPNG.make(width: 4, height: 4)))
        try await expectRefused(UploadHarness(), headers: form.headers, body: form.body, status: .unprocessableContent, code: "invalid_png")
    }

    @Test func pixelBombHeader() async throws {
        let form = Multipart.image(TestPNG.bombHeader(width: 20_000, height: 20_000))
        try await expectRefused(UploadHarness(maxPixels: 100_000_000), headers: form.headers, body: form.body, status: .unprocessableContent, code: "too_many_pixels")
    }

    /// Sides over the decoder's limit are refused as the engine refuses them, whatever MAX_PIXELS allows.
    @Test func sideOverTheDecoderLimit() async throws {
        let form = Multipart.image(TestPNG.bombHeader(width: 1_000_001, height: 1))
        try await expectRefused(UploadHarness(maxPixels: 1 << 40), headers: form.headers, body: form.body, status: .unprocessableContent, code: "invalid_png")
    }

    @Test(arguments: [["threshold": "300"], ["threshold": "abc"], ["method": "magic"], ["method": "otsu", "threshold": "10"]])
    func invalidOptions(_ fields: [String: String]) async throws {
        let form = Multipart.image(TestPNG.make(width: 4, height: 4), fields: fields)
        try await expectRefused(UploadHarness(), headers: form.headers, body: form.body, status: .badRequest, code: "invalid_option")
    }

    @Test func storeFailureIs503WithRetryAfter() async throws {
        let harness = try UploadHarness()
        harness.store.fail(.put)
        let form = Multipart.image(TestPNG.make(width: 4, height: 4))
        try await harness.send(headers: form.headers, body: form.body) { response in
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "5")
            let answer = try json(response)
            #expect(answer["error"] == "unavailable")
        }
        #expect(harness.queue.bodies.isEmpty)
    }

    /// The queue refusing the send (an answer, not an outage, so it is not tried again): 503 at
    /// once, and the stored object is deleted again.
    @Test func aRefusedSendDeletesTheObject() async throws {
        let harness = try UploadHarness()
        harness.queue.fail(.send, with: MessageQueueError(reason: "AccessDenied", isTransient: false))
        let form = Multipart.image(TestPNG.make(width: 4, height: 4))
        let started = ContinuousClock.now
        try await harness.send(headers: form.headers, body: form.body) { response in
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] != nil)
            #expect(ContinuousClock.now - started < .seconds(5), "not held until the deadline")
        }
        #expect(harness.queue.sendAttempts == 1)
        #expect(harness.store.keys.isEmpty, "the stored object was deleted again")
        #expect(harness.store.calls.filter { $0.hasPrefix("put ") }.count == 1)
        #expect(harness.store.calls.filter { $0.hasPrefix("delete ") }.count == 1)
    }
}
