import PipelineContract

/// How ``ImageEngine/binarize(_:options:)`` turns an image into black and white.
///
/// The defaults reproduce the reference exactly: OpenCV's
/// `threshold(cvtColor(imdecode(png, IMREAD_COLOR), BGR2GRAY), 127, 255, THRESH_BINARY)`.
public struct BinarizeOptions: Sendable, Equatable {
    /// Where gray turns white.
    public enum Threshold: Sendable, Equatable {
        /// A pixel is white when its gray value is greater than this (the reference uses 127).
        case fixed(UInt8)
        /// Otsu's method over the whole gray image, as OpenCV's `THRESH_OTSU`.
        ///
        /// The histogram must be complete before the first row is written, so the gray image is
        /// held in memory: one byte a pixel.
        case otsu
    }

    /// Bits a pixel of the output PNG. Both decode to the same pixels (0 or 255).
    public enum BitDepth: Int, Sendable {
        /// 1-bit grayscale: 8 pixels a byte, the smallest and fastest output.
        case one = 1
        /// 8-bit grayscale, as the reference's encoder writes.
        case eight = 8
    }

    /// Where gray turns white; `.fixed(127)` by default.
    public var threshold: Threshold = .fixed(127)
    /// Bits a pixel of the output PNG; `.one` by default.
    public var bitDepth: BitDepth = .one
    /// The largest image accepted, in pixels (width × height); 100 megapixels by default. A larger
    /// image is refused from its header, before any pixel is decoded.
    public var maxPixels: Int = ImageLimits.defaultMaxPixels

    /// Options with the given values; the defaults reproduce the reference.
    public init(threshold: Threshold = .fixed(127), bitDepth: BitDepth = .one, maxPixels: Int = ImageLimits.defaultMaxPixels) {
        self.threshold = threshold
        self.bitDepth = bitDepth
        self.maxPixels = maxPixels
    }
}
