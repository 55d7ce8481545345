import Foundation

/// What one owner may upload in one day (UTC): uploads, bytes and pixels. Pixels weigh what the
/// processors pay: a 0.1 MB PNG of 100 megapixels costs them as much as a hundred photos.
public struct DailyAllowance: Sendable, Equatable {
    public var uploads: Int
    public var bytes: Int
    public var pixels: Int

    public init(uploads: Int, bytes: Int, pixels: Int) {
        self.uploads = uploads
        self.bytes = bytes
        self.pixels = pixels
    }
}

/// One owner's uploads of one day, as counted.
public struct DailyUsage: Sendable, Equatable {
    public var uploads: Int
    public var bytes: Int
    public var pixels: Int

    public init(uploads: Int = 0, bytes: Int = 0, pixels: Int = 0) {
        self.uploads = uploads
        self.bytes = bytes
        self.pixels = pixels
    }

    /// Whether one more upload of `pixels` fits `allowance`. Bytes are known only once an upload
    /// is stored, so they are counted after it, and the next upload is refused once they reached
    /// the allowance.
    public func admits(pixels: Int, within allowance: DailyAllowance) -> Bool {
        uploads < allowance.uploads && bytes < allowance.bytes && self.pixels + pixels <= allowance.pixels
    }

    /// What `allowance` is spent on, for the refusal's message ("uploads", "bytes", "pixels").
    public func exhausted(by pixels: Int, of allowance: DailyAllowance) -> String {
        if uploads >= allowance.uploads { return "uploads" }
        if bytes >= allowance.bytes { return "bytes" }
        return "pixels"
    }
}

/// The day an upload counts in (UTC), and when it ends.
public struct UsageDay: Sendable, Equatable, Hashable {
    /// `2026-12-07`.
    public var text: String
    /// Midnight UTC after it: when the allowance is whole again.
    public var end: Date

    /// Made once: every upload asks for its day.
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        return calendar
    }()

    public init(_ date: Date) {
        let calendar = Self.utc
        let start = calendar.startOfDay(for: date)
        end = calendar.date(byAdding: .day, value: 1, to: start) ?? start.addingTimeInterval(86_400)
        let parts = calendar.dateComponents([.year, .month, .day], from: start)
        text = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}

/// Each owner's uploads per day, counted where the image index lives, so that every upload task
/// sees the same count (the seam to DynamoDB; an in-memory fake in tests). Throws
/// ``ImageTableError`` only.
public protocol UsageLedger: Sendable {
    /// Counts one upload of `pixels` for `owner` on `day` if ``DailyUsage/admits(pixels:within:)``;
    /// otherwise counts nothing and returns the usage that refused it.
    ///
    /// - Returns: nil when counted.
    func countUpload(owner: String, on day: UsageDay, pixels: Int, within allowance: DailyAllowance) async throws -> DailyUsage?

    /// Adds a stored upload's bytes to `owner`'s count of `day`.
    func countBytes(_ bytes: Int, owner: String, on day: UsageDay) async throws

    /// `owner`'s count of `day` (zero when nothing was counted).
    func usage(owner: String, on day: UsageDay) async throws -> DailyUsage

    /// Throws when the ledger cannot be reached (readiness).
    func checkReachable() async throws
}
