import PipelineTestSupport

/// The reference's pixels computed straight from docs/image-rules.md, independently of the engine.
enum ReferenceModel {
    /// Gray of every pixel: 8-bit R, G, B by the rules (16 bits: the high byte; 1, 2, 4 bits:
    /// scaled; palette looked up, black past its end; alpha dropped), then
    /// (R*9798 + G*19235 + B*3735 + 16384) >> 15.
    static func gray(_ png: TestPNG) -> [UInt8] {
        let channels = png.colorType.channels
        func eight(_ sample: Int) -> Int {
            switch png.bitDepth {
            case 16: sample >> 8
            case 8: sample
            default: sample * 255 / ((1 << png.bitDepth) - 1)
            }
        }
        var gray: [UInt8] = []
        gray.reserveCapacity(png.width * png.height)
        for row in png.samples {
            for x in 0..<png.width {
                let s = row[(x * channels)..<(x * channels + channels)].map { $0 }
                let rgb: (Int, Int, Int)
                switch png.colorType {
                case .gray, .grayAlpha:
                    rgb = (eight(s[0]), eight(s[0]), eight(s[0]))
                case .rgb, .rgba:
                    rgb = (eight(s[0]), eight(s[1]), eight(s[2]))
                case .palette:
                    let i = s[0] * 3
                    rgb = i + 2 < png.palette.count
                        ? (Int(png.palette[i]), Int(png.palette[i + 1]), Int(png.palette[i + 2])) : (0, 0, 0)
                }
                gray.append(UInt8((rgb.0 * 9798 + rgb.1 * 19235 + rgb.2 * 3735 + 16384) >> 15))
            }
        }
        return gray
    }

    static func binary(_ gray: [UInt8], threshold: UInt8 = 127) -> [UInt8] {
        gray.map { $0 > threshold ? 255 : 0 }
    }

    /// OpenCV's ExifTransform of a width × height image: returns the pixels and the new size.
    static func oriented(_ pixels: [UInt8], width w: Int, height h: Int, orientation: Int) -> ([UInt8], Int, Int) {
        let transposed = (5...8).contains(orientation)
        let (ow, oh) = transposed ? (h, w) : (w, h)
        var out = [UInt8](repeating: 0, count: w * h)
        for y in 0..<oh {
            for x in 0..<ow {
                let (sx, sy): (Int, Int)
                switch orientation {
                case 2: (sx, sy) = (w - 1 - x, y)
                case 3: (sx, sy) = (w - 1 - x, h - 1 - y)
                case 4: (sx, sy) = (x, h - 1 - y)
                case 5: (sx, sy) = (y, x)
                case 6: (sx, sy) = (y, h - 1 - x)
                case 7: (sx, sy) = (w - 1 - y, h - 1 - x)
                case 8: (sx, sy) = (w - 1 - y, x)
                default: (sx, sy) = (x, y)
                }
                out[y * ow + x] = pixels[sy * w + sx]
            }
        }
        return (out, ow, oh)
    }

    /// Otsu's threshold as OpenCV computes it (getThreshVal_Otsu_8u).
    static func otsu(_ gray: [UInt8]) -> UInt8 {
        // The OpenCV wheel's Otsu (Intel IPP's arithmetic, see gray.c), written again: bin i at
        // level i + 0.5, doubles, two fused multiply-adds, the first strict maximum.
        var histogram = [Int](repeating: 0, count: 256)
        for g in gray { histogram[Int(g)] += 1 }
        let scale = 1.0 / Double(gray.count)
        let mu = Double(histogram.indices.reduce(0) { $0 + histogram[$1] * (2 * $1 + 1) }) * 0.5 * scale
        var q1 = 0.0, m1 = 0.0, maxSigma = 0.0, best = 0
        for i in 0..<256 {
            let p = Double(histogram[i]) * scale
            q1 += p
            let q2 = 1.0 - q1
            if min(q1, q2) < Double(Float.ulpOfOne) || max(q1, q2) > 1.0 - Double(Float.ulpOfOne) { continue }
            m1 = m1.addingProduct(Double(i) + 0.5, p)
            let numerator = ((m1 - mu) * q1).addingProduct(m1, q2)
            let sigma = numerator * numerator / (q2 * q1)
            if sigma > maxSigma {
                maxSigma = sigma
                best = i
            }
        }
        return UInt8(best)
    }

    /// An eXIf payload (big- or little-endian TIFF header, IFD0) holding one Orientation entry.
    static func exif(orientation: Int, bigEndian: Bool = true) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 255)] : [UInt8(v & 255), UInt8(v >> 8)] }
        func u32(_ v: Int) -> [UInt8] { bigEndian ? TestPNG.be32(v) : TestPNG.be32(v).reversed() }
        let header: [UInt8] = bigEndian ? Array("MM".utf8) + [0, 42] : Array("II".utf8) + [42, 0]
        return header + u32(8) + u16(1) + u16(0x0112) + u16(3) + u32(1) + u16(orientation) + u16(0) + u32(0)
    }
}
