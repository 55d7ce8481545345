import Foundation

/// The two date formats S3 uses: ISO 8601 in XML (`2026-12-01T23:45:31.000Z`), RFC 7231's
/// IMF-fixdate in headers (`Tue, 01 Dec 2026 23:45:31 GMT`).
///
/// Parsed by hand: every GET and HEAD carries a `Last-Modified`, and a `DateFormatter` per call
/// is costly while a shared one needs a lock (docs/performance.md#dates-parsed-by-hand-s3).
enum S3DateParsing {
    static func isoDate(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        // YYYY-MM-DDTHH:MM:SS[.fff…]Z
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes.last == UInt8(ascii: "Z"),
            let year = number(bytes, 0, 4), let month = number(bytes, 5, 2), let day = number(bytes, 8, 2),
            let hour = number(bytes, 11, 2), let minute = number(bytes, 14, 2), let second = number(bytes, 17, 2)
        else { return nil }
        var fraction = 0.0
        if bytes.count > 20 {
            guard bytes[19] == UInt8(ascii: "."), bytes.count > 21 else { return nil }
            var scale = 0.1
            for byte in bytes[20..<(bytes.count - 1)] {
                guard (48...57).contains(byte) else { return nil }
                fraction += Double(byte - 48) * scale
                scale /= 10
            }
        } else if bytes.count != 20 {
            return nil
        }
        return date(year: year, month: month, day: day, hour: hour, minute: minute, second: second, fraction: fraction)
    }

    static func httpDate(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        // Www, DD Mon YYYY HH:MM:SS GMT
        guard bytes.count == 29, bytes[3] == UInt8(ascii: ","), bytes[25...] == Array(" GMT".utf8)[...],
            let day = number(bytes, 5, 2), let year = number(bytes, 12, 4),
            let hour = number(bytes, 17, 2), let minute = number(bytes, 20, 2), let second = number(bytes, 23, 2),
            let month = months.firstIndex(of: String(decoding: bytes[8..<11], as: UTF8.self))
        else { return nil }
        return date(year: year, month: month + 1, day: day, hour: hour, minute: minute, second: second, fraction: 0)
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func number(_ bytes: [UInt8], _ start: Int, _ length: Int) -> Int? {
        var value = 0
        for byte in bytes[start..<(start + length)] {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    /// UTC calendar fields to a date (days from the civil calendar, proleptic Gregorian).
    private static func date(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, fraction: Double) -> Date? {
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second) + fraction
        return Date(timeIntervalSince1970: seconds)
    }
}
