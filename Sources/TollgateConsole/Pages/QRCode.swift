/// A QR code (ISO/IEC 18004), versions 1 to 10, byte mode, error correction level M, drawn as SVG —
/// made in-process so that a TOTP secret never leaves the machine for a QR service.
public struct QRCode: Sendable {
    /// Why text does not fit.
    public struct TooLong: Error, Sendable, CustomStringConvertible {
        public var description: String { "the text is too long for a QR code up to version 10 (213 bytes at level M)" }
    }

    public let version: Int
    public let size: Int
    /// `modules[y][x]`, true for dark.
    public private(set) var modules: [[Bool]]
    private var isFunction: [[Bool]]

    /// Level M: error-correction codewords per block, and blocks, for versions 1–10.
    static let eccPerBlock = [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26]
    static let blockCount = [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5]

    public init(_ text: String) throws(TooLong) {
        let data = Array(text.utf8)
        var chosen: Int?
        for version in 1...10 where Self.dataCapacityBits(version) >= 4 + (version < 10 ? 8 : 16) + data.count * 8 {
            chosen = version
            break
        }
        guard let version = chosen else { throw TooLong() }
        self.version = version
        size = version * 4 + 17
        modules = Array(repeating: Array(repeating: false, count: size), count: size)
        isFunction = modules
        drawFunctionPatterns()
        let codewords = Self.addErrorCorrection(Self.dataCodewords(data, version: version), version: version)
        drawCodewords(codewords)
        // The mask with the lowest penalty.
        var best = 0
        var bestPenalty = Int.max
        for mask in 0..<8 {
            applyMask(mask)
            drawFormatBits(mask)
            let penalty = penaltyScore()
            if penalty < bestPenalty {
                best = mask
                bestPenalty = penalty
            }
            applyMask(mask)  // XOR again: undone
        }
        applyMask(best)
        drawFormatBits(best)
    }

    // MARK: - Codewords

    static func rawDataModules(_ version: Int) -> Int {
        var result = (16 * version + 128) * version + 64
        if version >= 2 {
            let alignments = version / 7 + 2
            result -= (25 * alignments - 10) * alignments - 55
            if version >= 7 { result -= 36 }
        }
        return result
    }

    static func dataCapacityBits(_ version: Int) -> Int {
        (rawDataModules(version) / 8 - eccPerBlock[version] * blockCount[version]) * 8
    }

    static func dataCodewords(_ data: [UInt8], version: Int) -> [UInt8] {
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) {
            for shift in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> shift) & 1 == 1) }
        }
        append(0b0100, 4)
        append(data.count, version < 10 ? 8 : 16)
        for byte in data { append(Int(byte), 8) }
        let capacity = dataCapacityBits(version)
        append(0, min(4, capacity - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var pad = 0xEC
        while bits.count < capacity {
            append(pad, 8)
            pad ^= 0xEC ^ 0x11
        }
        return stride(from: 0, to: bits.count, by: 8).map { offset in
            (0..<8).reduce(UInt8(0)) { ($0 << 1) | (bits[offset + $1] ? 1 : 0) }
        }
    }

    static func addErrorCorrection(_ data: [UInt8], version: Int) -> [UInt8] {
        let blocks = blockCount[version]
        let ecc = eccPerBlock[version]
        let rawCodewords = rawDataModules(version) / 8
        let shortBlocks = blocks - rawCodewords % blocks
        let shortLength = rawCodewords / blocks
        let divisor = reedSolomonDivisor(ecc)
        var split: [[UInt8]] = []
        var offset = 0
        for index in 0..<blocks {
            let length = shortLength - ecc + (index < shortBlocks ? 0 : 1)
            var block = Array(data[offset..<offset + length])
            offset += length
            let remainder = reedSolomonRemainder(block, divisor)
            if index < shortBlocks { block.append(0) }  // a placeholder, skipped when interleaving
            split.append(block + remainder)
        }
        var result: [UInt8] = []
        for column in 0..<split[0].count {
            for (index, block) in split.enumerated() where column != shortLength - ecc || index >= shortBlocks {
                result.append(block[column])
            }
        }
        return result
    }

    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for shift in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= ((Int(y) >> shift) & 1) * Int(x)
        }
        return UInt8(truncatingIfNeeded: z)
    }

    static func reedSolomonDivisor(_ degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for index in 0..<degree {
                result[index] = multiply(result[index], root)
                if index + 1 < degree { result[index] ^= result[index + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    static func reedSolomonRemainder(_ data: [UInt8], _ divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for index in result.indices { result[index] ^= multiply(divisor[index], factor) }
        }
        return result
    }

    // MARK: - Drawing

    private mutating func set(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y][x] = dark
        isFunction[y][x] = true
    }

    private mutating func drawFunctionPatterns() {
        for index in 0..<size {
            set(6, index, index % 2 == 0)
            set(index, 6, index % 2 == 0)
        }
        drawFinder(3, 3)
        drawFinder(size - 4, 3)
        drawFinder(3, size - 4)
        let positions = alignmentPositions()
        for (i, x) in positions.enumerated() {
            for (j, y) in positions.enumerated() where !((i == 0 && j == 0) || (i == 0 && j == positions.count - 1) || (i == positions.count - 1 && j == 0)) {
                for dy in -2...2 { for dx in -2...2 { set(x + dx, y + dy, max(abs(dx), abs(dy)) != 1) } }
            }
        }
        drawFormatBits(0)
        drawVersion()
    }

    private mutating func drawFinder(_ x: Int, _ y: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let distance = max(abs(dx), abs(dy))
                let xx = x + dx, yy = y + dy
                if (0..<size).contains(xx), (0..<size).contains(yy) { set(xx, yy, distance != 2 && distance != 4) }
            }
        }
    }

    private func alignmentPositions() -> [Int] {
        guard version > 1 else { return [] }
        let count = version / 7 + 2
        let step = (version * 8 + count * 3 + 5) / (count * 4 - 4) * 2
        var result = [6]
        var position = size - 7
        var tail: [Int] = []
        for _ in 0..<(count - 1) {
            tail.insert(position, at: 0)
            position -= step
        }
        result += tail
        return result
    }

    private mutating func drawFormatBits(_ mask: Int) {
        let data = mask  // level M's two bits are 00: the format data is the mask alone
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = ((data << 10) | remainder) ^ 0x5412
        func bit(_ index: Int) -> Bool { (bits >> index) & 1 == 1 }
        for index in 0...5 { set(8, index, bit(index)) }
        set(8, 7, bit(6))
        set(8, 8, bit(7))
        set(7, 8, bit(8))
        for index in 9..<15 { set(14 - index, 8, bit(index)) }
        for index in 0..<8 { set(size - 1 - index, 8, bit(index)) }
        for index in 8..<15 { set(8, size - 15 + index, bit(index)) }
        set(8, size - 8, true)
    }

    private mutating func drawVersion() {
        guard version >= 7 else { return }
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        let bits = (version << 12) | remainder
        for index in 0..<18 {
            let dark = (bits >> index) & 1 == 1
            let a = size - 11 + index % 3, b = index / 3
            set(a, b, dark)
            set(b, a, dark)
        }
    }

    private mutating func drawCodewords(_ data: [UInt8]) {
        var index = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vertical in 0..<size {
                for column in 0..<2 {
                    let x = right - column
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vertical : vertical
                    if !isFunction[y][x], index < data.count * 8 {
                        modules[y][x] = (data[index >> 3] >> (7 - (index & 7))) & 1 == 1
                        index += 1
                    }
                }
            }
            right -= 2
        }
    }

    private mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y][x] {
                let invert: Bool
                switch mask {
                case 0: invert = (x + y) % 2 == 0
                case 1: invert = y % 2 == 0
                case 2: invert = x % 3 == 0
                case 3: invert = (x + y) % 3 == 0
                case 4: invert = (x / 3 + y / 2) % 2 == 0
                case 5: invert = x * y % 2 + x * y % 3 == 0
                case 6: invert = (x * y % 2 + x * y % 3) % 2 == 0
                default: invert = ((x + y) % 2 + x * y % 3) % 2 == 0
                }
                if invert { modules[y][x].toggle() }
            }
        }
    }

    /// ISO 18004's penalty: runs of one colour, 2×2 blocks, finder-like patterns, dark/light balance.
    private func penaltyScore() -> Int {
        var result = 0
        func line(_ cells: [Bool]) -> Int {
            var score = 0
            var run = 1
            for index in 1..<cells.count {
                if cells[index] == cells[index - 1] {
                    run += 1
                } else {
                    if run >= 5 { score += run - 2 }
                    run = 1
                }
            }
            if run >= 5 { score += run - 2 }
            // 1:1:3:1:1 with four light modules on either side.
            let pattern: [Bool] = [true, false, true, true, true, false, true]
            let padded = [Bool](repeating: false, count: 4) + cells + [Bool](repeating: false, count: 4)
            for start in 0...(padded.count - 11) {
                if Array(padded[start + 4..<start + 11]) == pattern {
                    if padded[start..<start + 4].allSatisfy({ !$0 }) || padded[start + 11..<min(padded.count, start + 15)].allSatisfy({ !$0 }) {
                        score += 40
                    }
                }
            }
            return score
        }
        for y in 0..<size { result += line(modules[y]) }
        for x in 0..<size { result += line((0..<size).map { modules[$0][x] }) }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let color = modules[y][x]
                if color == modules[y][x + 1], color == modules[y + 1][x], color == modules[y + 1][x + 1] { result += 3 }
            }
        }
        let dark = modules.reduce(0) { $0 + $1.filter { $0 }.count }
        let total = size * size
        let k = (abs(dark * 20 - total * 10) + total - 1) / total - 1
        result += max(0, k) * 10
        return result
    }

    /// The code as SVG: one path, a quiet zone of four modules, `scale` pixels a module.
    public func svg(scale: Int = 6) -> String {
        let border = 4
        let width = (size + border * 2) * scale
        var path = ""
        for y in 0..<size {
            for x in 0..<size where modules[y][x] { path += "M\(x + border),\(y + border)h1v1h-1z" }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(size + border * 2) \(size + border * 2)\" width=\"\(width)\" height=\"\(width)\" "
            + "shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"\(path)\" fill=\"#000\"/></svg>"
    }
}
