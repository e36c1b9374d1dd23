/// A software or firmware version compared as a version, not as text: `20.9.2` < `20.10.0`,
/// `66.86.0.15` < `66.86.0.100`, `1.10.12-release` = `1.10.12`. The numbers are read in order
/// (any non-digit separates them); a trailing letter (`7.6.2c`) sorts after the bare number.
public struct SoftwareVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The numeric parts, most significant first.
    public let parts: [Int]
    /// A letter right after the last number (`c` in `7.6.2c`), if any.
    public let suffix: String
    public let text: String

    public var description: String { text }

    /// Reads the first version in `text` (from its first digit): numbers joined by dots (`20.9.2`), or
    /// by dashes when the version starts that way (Cisco's `11-1-0MSR3`); a single letter right after
    /// a dotted version is its suffix (`7.6.2c`); anything else ends it (`1.10.12-release`). Nil when
    /// there is no digit.
    public init?(_ text: String) {
        let characters = Array(text.unicodeScalars)
        func digit(_ scalar: Unicode.Scalar) -> Int? {
            scalar.value >= 0x30 && scalar.value <= 0x39 ? Int(scalar.value - 0x30) : nil
        }
        func isLetter(_ scalar: Unicode.Scalar) -> Bool {
            (scalar.value >= 0x41 && scalar.value <= 0x5A) || (scalar.value >= 0x61 && scalar.value <= 0x7A)
        }
        guard var index = characters.firstIndex(where: { digit($0) != nil }) else { return nil }
        var parts: [Int] = []
        var suffix = ""
        var dashed = false
        while index < characters.count {
            var value = 0
            var digits = 0
            while index < characters.count, let next = digit(characters[index]) {
                value = value * 10 + next
                digits += 1
                index += 1
                if digits > 9 { return nil }
            }
            parts.append(value)
            guard index < characters.count else { break }
            let separator = characters[index]
            let digitFollows = index + 1 < characters.count && digit(characters[index + 1]) != nil
            if separator == ".", digitFollows, !dashed {
                index += 1
                continue
            }
            if separator == "-", digitFollows, parts.count == 1 || dashed {
                dashed = true
                index += 1
                continue
            }
            if isLetter(separator), parts.count >= 2, index + 1 == characters.count || !isLetter(characters[index + 1]) {
                suffix = String(separator).lowercased()
            }
            break
        }
        self.parts = parts
        self.suffix = suffix
        self.text = text
    }

    public static func < (lhs: SoftwareVersion, rhs: SoftwareVersion) -> Bool {
        let count = max(lhs.parts.count, rhs.parts.count)
        for index in 0..<count {
            let left = index < lhs.parts.count ? lhs.parts[index] : 0
            let right = index < rhs.parts.count ? rhs.parts[index] : 0
            if left != right { return left < right }
        }
        return lhs.suffix < rhs.suffix
    }

    public static func == (lhs: SoftwareVersion, rhs: SoftwareVersion) -> Bool {
        !(lhs < rhs) && !(rhs < lhs)
    }

    public func hash(into hasher: inout Hasher) {
        var trimmed = parts
        while trimmed.count > 1, trimmed.last == 0 { trimmed.removeLast() }
        hasher.combine(trimmed)
        hasher.combine(suffix)
    }

    /// Whether this version starts with `prefix`'s numbers (`20.9.2` is in family `20`).
    public func isInFamily(_ prefix: [Int]) -> Bool {
        parts.count >= prefix.count && Array(parts.prefix(prefix.count)) == prefix
    }
}

/// A set of versions as the lifecycle file writes it: `*`; `20.*` (a family); or constraints joined
/// by commas, each `<V`, `<=V`, `>V`, `>=V`, `=V` — `>=20,<20.9.2`.
public struct VersionRange: Sendable, Hashable, CustomStringConvertible {
    enum Constraint: Hashable {
        case any
        case family([Int])
        case below(SoftwareVersion, inclusive: Bool)
        case above(SoftwareVersion, inclusive: Bool)
        case exactly(SoftwareVersion)
    }

    let constraints: [Constraint]
    public let description: String

    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        description = trimmed
        var constraints: [Constraint] = []
        for piece in trimmed.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if piece == "*" {
                constraints.append(.any)
            } else if piece.hasSuffix(".*") {
                let numbers = piece.dropLast(2).split(separator: ".").compactMap { Int($0) }
                guard !numbers.isEmpty, numbers.count == piece.dropLast(2).split(separator: ".").count else { return nil }
                constraints.append(.family(numbers))
            } else {
                let operators = ["<=", ">=", "<", ">", "="]
                guard let op = operators.first(where: { piece.hasPrefix($0) }),
                      let version = SoftwareVersion(String(piece.dropFirst(op.count)).trimmingCharacters(in: .whitespaces))
                else { return nil }
                switch op {
                case "<=": constraints.append(.below(version, inclusive: true))
                case "<": constraints.append(.below(version, inclusive: false))
                case ">=": constraints.append(.above(version, inclusive: true))
                case ">": constraints.append(.above(version, inclusive: false))
                default: constraints.append(.exactly(version))
                }
            }
        }
        guard !constraints.isEmpty else { return nil }
        self.constraints = constraints
    }

    /// Whether `version` is in the range; an unknown version is only in `*`.
    public func contains(_ version: SoftwareVersion?) -> Bool {
        constraints.allSatisfy { constraint in
            switch constraint {
            case .any: return true
            case .family(let prefix): return version?.isInFamily(prefix) ?? false
            case .below(let bound, let inclusive): return version.map { inclusive ? $0 <= bound : $0 < bound } ?? false
            case .above(let bound, let inclusive): return version.map { inclusive ? $0 >= bound : $0 > bound } ?? false
            case .exactly(let bound): return version == bound
            }
        }
    }
}
