import CImageEngine
import PipelineContract

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One call into CImageEngine, and its result or refusal in Swift terms.
enum ShimCall {
    struct Output {
        var bytes: [UInt8]
        var width: Int
        var height: Int
        var threshold: Int
    }

    enum Mode {
        /// The binary image as a PNG.
        case binarize(BinarizeOptions.Threshold, BinarizeOptions.BitDepth)
        /// The gray image as raw bytes.
        case gray
    }

    static func run(_ png: some ContiguousBytes, mode: Mode, maxPixels: Int, releaseInput: Bool = false) throws(ImageEngineError) -> Output {
        var settings = cps_options()
        cps_options_init(&settings)
        settings.release_input = releaseInput ? 1 : 0
        // The one limit table (PipelineContract's ImageLimits), which the upload API refuses by too.
        settings.max_pixels = UInt64(max(0, ImageLimits(maxPixels: maxPixels).effectiveMaxPixels))
        settings.max_side = UInt32(ImageLimits.maxSide)
        switch mode {
        case .binarize(let threshold, let bitDepth):
            switch threshold {
            case .fixed(let value): settings.threshold = Int32(value)
            case .otsu: settings.threshold = CPS_THRESHOLD_OTSU
            }
            settings.bit_depth = Int32(bitDepth.rawValue)
        case .gray:
            settings.output = Int32(CPS_OUTPUT_GRAY_RAW.rawValue)
        }
        var result = cps_result()
        // The closure must not throw: withUnsafeBytes only rethrows untyped errors.
        let status = png.withUnsafeBytes { buffer in
            cps_process(buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), buffer.count, &settings, &result)
        }
        defer { cps_result_release(&result) }
        guard status == CPS_OK else { throw error(status, result) }
        let bytes = result.data.map { Array(UnsafeBufferPointer(start: $0, count: result.size)) } ?? []
        return Output(
            bytes: bytes,
            width: Int(result.width),
            height: Int(result.height),
            threshold: Int(result.threshold)
        )
    }

    private static func error(_ status: cps_status, _ result: cps_result) -> ImageEngineError {
        let message = withUnsafeBytes(of: result.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        switch status {
        case CPS_NOT_PNG: return .notPNG
        case CPS_TRUNCATED: return .truncated
        case CPS_INVALID_HEADER: return .invalidHeader(message)
        case CPS_TOO_MANY_PIXELS:
            return .tooManyPixels(
                width: Int(result.source_width),
                height: Int(result.source_height),
                limit: Int(clamping: result.pixel_limit)
            )
        case CPS_CORRUPT: return .corrupt(message)
        case CPS_UNSUPPORTED: return .unsupported(message)
        case CPS_OUT_OF_MEMORY: return .outOfMemory
        default: return .encodingFailed(message)
        }
    }
}
