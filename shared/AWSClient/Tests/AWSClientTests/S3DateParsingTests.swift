import Foundation
import Testing

@testable import AWSS3

@Suite struct S3DateParsingTests {
    @Test func headerDates() {
        #expect(S3DateParsing.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(S3DateParsing.httpDate("Tue, 01 Dec 2026 23:45:31 GMT") == Date(timeIntervalSince1970: 1_796_168_731))
        #expect(S3DateParsing.httpDate("Tue, 29 Feb 2028 00:00:00 GMT") == Date(timeIntervalSince1970: 1_835_395_200))
        for bad in ["", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Xyz 1994 08:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT"] {
            #expect(S3DateParsing.httpDate(bad) == nil, "\(bad)")
        }
    }

    @Test func xmlDates() {
        #expect(S3DateParsing.isoDate("2026-12-01T23:45:31.000Z") == Date(timeIntervalSince1970: 1_796_168_731))
        #expect(S3DateParsing.isoDate("2026-12-01T23:45:31Z") == Date(timeIntervalSince1970: 1_796_168_731))
        #expect(S3DateParsing.isoDate("1970-01-01T00:00:00.5Z") == Date(timeIntervalSince1970: 0.5))
        for bad in ["", "2026-12-01 23:45:31Z", "2026-12-01T23:45:31.Z", "2026-13-01T23:45:31Z", "2026-12-01T23:45:31+01:00"] {
            #expect(S3DateParsing.isoDate(bad) == nil, "\(bad)")
        }
    }
}
