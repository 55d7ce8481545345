import Foundation
import Hummingbird
import HummingbirdTesting
import PipelineContract
import PipelineService
import PipelineTestSupport
import Testing

@testable import UploadAPI

/// Processing options from the form or the query: both checked, and they must agree.
@Suite struct UploadOptionsTests {
    /// An option in the query and in the form: both checked, and they must agree.
    @Test(arguments: [
        ("threshold=256", ["threshold": "100"]), ("threshold=100", ["threshold": "200"]), ("method=otsu", ["method": "fixed"]),
        ("threshold=256", [String: String]()), ("method=magic", [String: String]()),
    ])
    func optionsInTwoPlacesMustAgree(_ query: String, _ fields: [String: String]) async throws {
        let harness = try UploadHarness()
        let form = Multipart.image(TestPNG.make(width: 2, height: 2), fields: fields)
        try await harness.send("/upload?\(query)", headers: form.headers, body: form.body) { response in
            #expect(response.status == .badRequest)
            let answer = try json(response)
            #expect(answer["error"] == "invalid_option")
        }
        #expect(harness.store.keys.isEmpty)
    }

    @Test func theSameOptionTwiceIsAccepted() async throws {
        let harness = try UploadHarness()
        let form = Multipart.image(TestPNG.make(width: 2, height: 2), fields: ["threshold": "90"])
        try await harness.send("/upload?threshold=90", headers: form.headers, body: form.body) { response in
            #expect(response.status == .accepted)
        }
    }
}
