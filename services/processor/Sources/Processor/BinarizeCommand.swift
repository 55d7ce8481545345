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

    @Option(
        name: .customLong("repeat"),
        help: "Binarize the input this many times and write the output once (benchmarks: the CPU of N runs minus that of one is N-1 runs without the start-up)."
    )
    var repetitions: Int = 1

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
        if repetitions < 1 {
            throw ValidationError("--repeat must be positive.")
        }
    }

    func run() throws {
        let options = BinarizeOptions(
            threshold: otsu ? .otsu : .fixed(UInt8(threshold ?? 127)),
            bitDepth: BinarizeOptions.BitDepth(rawValue: bitDepth) ?? .one,
            maxPixels: maxPixels
        )
        var image: BinarizedImage?
        for _ in 0..<repetitions {
            image = try withMappedFile(input) { png throws(CommandFailure) in
                do {
                    return try ImageEngine.binarize(mappedFile: png, options: options)
                } catch {
                    throw CommandFailure("\(input): \(error)")
                }
            }
        }
        if let image { try writeFile(output, image.png) }
    }
}

/// Runs `body` on the file mapped read-only. Mapped rather than read, so that the engine can give
/// pages back as it decodes (docs/performance.md#input-files-mapped-processor-cli).
private func withMappedFile<T>(
    _ path: String, _ body: (UnsafeRawBufferPointer) throws(CommandFailure) -> T
) throws(CommandFailure) -> T {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw CommandFailure("Cannot read \(path): \(systemError())") }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw CommandFailure("Cannot read \(path): \(systemError())") }
    if status.st_mode & S_IFMT == S_IFDIR { throw CommandFailure("Cannot read \(path): it is a directory") }
    let size = Int(status.st_size)
    // mmap refuses an empty range; an empty file is simply no PNG.
    guard size > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
        throw CommandFailure("Cannot read \(path): \(systemError())")
    }
    defer { munmap(address, size) }
    return try body(UnsafeRawBufferPointer(start: address, count: size))
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
