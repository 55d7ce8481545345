/// The one table of what an image may be: the upload API refuses from the header exactly what the
/// engine would refuse from the header, because both ask this type.
public struct ImageLimits: Sendable, Equatable {
    /// The longest side accepted: libpng's default user limit, which the reference (OpenCV on
    /// libpng) applies before anything else.
    public static let maxSide = 1_000_000
    /// OpenCV's own ceiling on width × height (`CV_IO_MAX_IMAGE_PIXELS`, 2^30); a configured
    /// MAX_PIXELS above it changes nothing.
    public static let referenceMaxPixels = 1 << 30
    /// MAX_PIXELS's default: 100 megapixels.
    public static let defaultMaxPixels = 100_000_000
    /// MAX_UPLOAD_BYTES's default: 50 MiB.
    public static let defaultMaxUploadBytes = 52_428_800

    /// The largest body accepted (MAX_UPLOAD_BYTES).
    public var maxUploadBytes: Int
    /// The configured pixel limit (MAX_PIXELS).
    public var maxPixels: Int

    public init(maxUploadBytes: Int = Self.defaultMaxUploadBytes, maxPixels: Int = Self.defaultMaxPixels) {
        self.maxUploadBytes = maxUploadBytes
        self.maxPixels = maxPixels
    }

    /// The pixel limit in force: MAX_PIXELS, or the reference's own ceiling when that is lower.
    public var effectiveMaxPixels: Int { min(maxPixels, Self.referenceMaxPixels) }

    /// Why an image of `width`×`height` would be refused before any pixel is decoded, or nil.
    public func refusal(width: Int, height: Int) -> SizeRefusal? {
        if width > Self.maxSide || height > Self.maxSide { return .sideTooLong(width: width, height: height, limit: Self.maxSide) }
        if width * height > effectiveMaxPixels { return .tooManyPixels(width: width, height: height, limit: effectiveMaxPixels) }
        return nil
    }

    /// An image size that the limits refuse.
    public enum SizeRefusal: Error, Sendable, Equatable {
        /// Width or height over ``ImageLimits/maxSide``.
        case sideTooLong(width: Int, height: Int, limit: Int)
        /// Width × height over the pixel limit in force.
        case tooManyPixels(width: Int, height: Int, limit: Int)
    }
}
