import ArgumentParser
import ImageEngine
import PipelineContract

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `processor binarize IN.png OUT.png`: one image, file in, file out.
struct BinarizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "binarize",
        abstract: "Converts a PNG to a black and white grayscale PNG.",
        discussion: """
            Gray is OpenCV's BGR2GRAY of the decoded colour image, and a pixel is white when its gray \
            value is greater than the threshold. With the defaults the pixels are exactly those of \
            OpenCV's imdecode, cvtColor and threshold(127).
            """
    )

    @Argument(help: "The PNG file to read.")
    var input: String

    @Argument(help: "The PNG file to write.")
    var output: String

    @Option(help: "A pixel is white when its gray value is greater than this (0...255).")
    var threshold: Int?

    @Flag(help: "Choose the threshold with Otsu's method.")
    var otsu = false

    @Option(name: .customLong("bit-depth"), help: "Bits a pixel of the output PNG: 1 or 8.")
    var bitDepth: Int = 1

    @Option(name: .customLong("max-pixels"), help: "Refuse images with more pixels than this.")
    var maxPixels: Int = ImageLimits.defaultMaxPixels

    func validate() throws {
        if otsu && threshold != nil {
            throw ValidationError("Give either --threshold or --otsu, not both.")
        }
        if let threshold, !(0...255).contains(threshold) {
            throw ValidationError("--threshold must be between 0 and 255.")
        }
        if BinarizeOptions.BitDepth(rawValue: bitDepth) == nil {
            throw ValidationError("--bit-depth must be 1 or 8.")
        }
        if maxPixels < 1 {
            throw ValidationError("--max-pixels must be positive.")
        }
    }

    func run() throws {
        let options = BinarizeOptions(
            threshold: otsu ? .otsu : .fixed(UInt8(threshold ?? 127)),
            bitDepth: BinarizeOptions.BitDepth(rawValue: bitDepth) ?? .one,
            maxPixels: maxPixels
        )
        let data = try readFile(input)
        let image: BinarizedImage
        do {
            image = try ImageEngine.binarize(data, options: options)
        } catch {
            throw CommandFailure("\(input): \(error)")
        }
        try writeFile(output, image.png)
    }
}

/// The whole file, with the system's reason on failure.
private func readFile(_ path: String) throws(CommandFailure) -> [UInt8] {
    guard let file = fopen(path, "rb") else { throw CommandFailure("Cannot read \(path): \(systemError())") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        bytes.append(contentsOf: chunk[0..<count])
        if count < chunk.count { break }
    }
    if ferror(file) != 0 { throw CommandFailure("Cannot read \(path): \(systemError())") }
    return bytes
}

private func writeFile(_ path: String, _ bytes: [UInt8]) throws(CommandFailure) {
    guard let file = fopen(path, "wb") else { throw CommandFailure("Cannot write \(path): \(systemError())") }
    let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    // fclose flushes: its failure is a failed write too.
    if fclose(file) != 0 || written != bytes.count {
        throw CommandFailure("Cannot write \(path): \(systemError())")
    }
}

private func systemError() -> String {
    String(cString: strerror(errno))
}

/// A failure reported as one line on standard error, with exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
