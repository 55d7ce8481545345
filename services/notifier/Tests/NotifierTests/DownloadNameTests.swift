import Foundation
import Testing

@testable import Notifier

@Suite struct DownloadNameTests {
    @Test func downloadNames() {
        #expect(DownloadName.result(of: "photo.png") == "photo-bw.png")
        #expect(DownloadName.result(of: "scan.final.PNG") == "scan.final-bw.png")
        #expect(DownloadName.result(of: ".png") == ".png-bw.png")
        #expect(DownloadName.result(of: "a\"b/c.png") == "a_b_c-bw.png")
        #expect(DownloadName.attachment("été-bw.png") == "attachment; filename=\"_t_-bw.png\"; filename*=UTF-8''%C3%A9t%C3%A9-bw.png")
        var names = UniqueNames()
        #expect(names.claim("photo-bw.png") == "photo-bw.png")
        #expect(names.claim("Photo-bw.png") == "Photo-bw-2.png")
        #expect(names.claim("photo-bw.png") == "photo-bw-3.png")
    }
}
