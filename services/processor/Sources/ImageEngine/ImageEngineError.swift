/// Why ``ImageEngine`` refused an image. The refusals are the reference's: an image that OpenCV
/// does not decode is refused here too.
public enum ImageEngineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The data does not start with the PNG signature.
    case notPNG
    /// The file ends early: inside a chunk, or before its IEND chunk.
    case truncated
    /// IHDR is missing, not the first chunk (as in Apple's CgBI files), or holds invalid values,
    /// such as a width or height over 1,000,000. The string says which.
    case invalidHeader(String)
    /// The image has more pixels than the limit (``BinarizeOptions/maxPixels``, or the reference's
    /// own limit of 2^30 if lower). Found from the header, before decoding.
    case tooManyPixels(width: Int, height: Int, limit: Int)
    /// The data is damaged: a CRC error in a critical chunk, a bad zlib stream or checksum, missing
    /// image data, an unknown critical chunk, a palette image without PLTE... The string says which.
    case corrupt(String)
    /// A valid PNG that the reference does not decode either (some animated PNGs).
    case unsupported(String)
    /// Memory ran out.
    case outOfMemory
    /// The output PNG could not be written (not expected to happen).
    case encodingFailed(String)

    /// A short sentence for a person.
    public var description: String {
        switch self {
        case .notPNG:
            "The data is not a PNG image."
        case .truncated:
            "The PNG file is truncated."
        case .invalidHeader(let reason), .corrupt(let reason), .unsupported(let reason):
            reason
        case .tooManyPixels(let width, let height, let limit):
            "The image is \(width)×\(height) = \(Self.amount(Self.area(width, height))), over the limit of \(Self.amount(limit))."
        case .outOfMemory:
            "Not enough memory to process the image."
        case .encodingFailed(let reason):
            reason
        }
    }

    private static func area(_ width: Int, _ height: Int) -> Int {
        let (area, overflow) = width.multipliedReportingOverflow(by: height)
        return overflow ? Int.max : area
    }

    /// "144 megapixels", "1.5 megapixels", "4096 pixels".
    private static func amount(_ pixels: Int) -> String {
        guard pixels >= 1_000_000 else { return "\(pixels) pixels" }
        let tenths = pixels / 100_000 + (pixels % 100_000 >= 50_000 ? 1 : 0)
        if tenths == 10 { return "1 megapixel" }
        return tenths % 10 == 0 ? "\(tenths / 10) megapixels" : "\(tenths / 10).\(tenths % 10) megapixels"
    }
}
