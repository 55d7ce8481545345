import PipelineContract

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// PNG binarization, bit-exact with the OpenCV reference
/// `threshold(cvtColor(imdecode(png, IMREAD_COLOR), BGR2GRAY), 127, 255, THRESH_BINARY)`.
///
/// Gray is `(R*9798 + G*19235 + B*3735 + 16384) >> 15` of the 8-bit colour (16-bit samples by their
/// high byte, palettes looked up, alpha dropped, no colour management); an eXIf orientation is
/// applied; an animated PNG gives its first frame. A PNG that the reference refuses is refused
/// with the same verdict (see ``ImageEngineError``).
///
/// Memory: a non-interlaced image is decoded, thresholded and encoded row by row, so it needs
/// memory in proportion to its width only. An interlaced image, one with an eXIf orientation
/// other than 1, and Otsu's threshold need the whole gray image: width × height bytes.
///
/// Both calls are synchronous, thread-safe and CPU-bound: run them off the cooperative pool when
/// the image is large.
public enum ImageEngine {
    /// Decodes a PNG, converts it to gray, thresholds it and encodes the black and white result as
    /// a grayscale PNG.
    ///
    /// - Parameters:
    ///   - png: The bytes of a PNG file.
    ///   - options: Threshold, output bit depth and pixel limit; the defaults match the reference.
    /// - Returns: The output PNG, its size and the threshold used.
    /// - Throws: ``ImageEngineError`` when the reference would refuse the image, or it is too large.
    public static func binarize(
        _ png: some ContiguousBytes,
        options: BinarizeOptions = .init()
    ) throws(ImageEngineError) -> BinarizedImage {
        let output = try ShimCall.run(png, mode: .binarize(options.threshold, options.bitDepth), maxPixels: options.maxPixels)
        return BinarizedImage(
            png: output.bytes,
            width: output.width,
            height: output.height,
            threshold: UInt8(clamping: output.threshold)
        )
    }

    /// ``binarize(_:options:)`` for a PNG file mapped read-only into memory (`mmap`): the pages
    /// decoding has moved past are given back to the system as it goes, so however large the file,
    /// it never stays resident whole. Only for such a mapping: other memory would lose its contents.
    public static func binarize(
        mappedFile png: UnsafeRawBufferPointer,
        options: BinarizeOptions = .init()
    ) throws(ImageEngineError) -> BinarizedImage {
        let output = try ShimCall.run(
            png, mode: .binarize(options.threshold, options.bitDepth), maxPixels: options.maxPixels, releaseInput: true
        )
        return BinarizedImage(
            png: output.bytes,
            width: output.width,
            height: output.height,
            threshold: UInt8(clamping: output.threshold)
        )
    }

    /// Decodes a PNG to 8-bit gray with the reference's rules, before any threshold: one byte a
    /// pixel. Also reads back the output of ``binarize(_:options:)`` (every pixel 0 or 255).
    ///
    /// - Parameters:
    ///   - png: The bytes of a PNG file.
    ///   - maxPixels: The largest image accepted, in pixels.
    /// - Throws: ``ImageEngineError`` when the reference would refuse the image, or it is too large.
    public static func decodeGray(
        _ png: some ContiguousBytes,
        maxPixels: Int = ImageLimits.defaultMaxPixels
    ) throws(ImageEngineError) -> GrayImage {
        let output = try ShimCall.run(png, mode: .gray, maxPixels: maxPixels)
        return GrayImage(pixels: output.bytes, width: output.width, height: output.height)
    }
}
