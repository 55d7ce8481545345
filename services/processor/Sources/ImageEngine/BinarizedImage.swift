/// The result of ``ImageEngine/binarize(_:options:)``: a grayscale PNG of a black and white image.
public struct BinarizedImage: Sendable {
    /// The PNG file: grayscale, 1 or 8 bits a pixel, every pixel 0 or 255 once decoded.
    public let png: [UInt8]
    /// Width in pixels (after an eXIf rotation, if the input had one).
    public let width: Int
    /// Height in pixels (after an eXIf rotation, if the input had one).
    public let height: Int
    /// The threshold used: a pixel is white when its gray value is greater. With
    /// ``BinarizeOptions/Threshold/otsu`` this is the value Otsu's method chose.
    public let threshold: UInt8

    /// A result with the given values.
    public init(png: [UInt8], width: Int, height: Int, threshold: UInt8) {
        self.png = png
        self.width = width
        self.height = height
        self.threshold = threshold
    }
}

/// An 8-bit gray image, one byte a pixel, row-major: what ``ImageEngine/decodeGray(_:maxPixels:)``
/// returns.
public struct GrayImage: Sendable, Equatable {
    /// `width * height` gray values, row by row from the top.
    public let pixels: [UInt8]
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int

    /// An image with the given pixels.
    public init(pixels: [UInt8], width: Int, height: Int) {
        self.pixels = pixels
        self.width = width
        self.height = height
    }
}
