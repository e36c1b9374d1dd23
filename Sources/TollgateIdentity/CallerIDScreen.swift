/// Vishing signals: a call from outside whose caller ID claims to be one of the company's own
/// numbers or extensions, or a listed VIP (the managing director's mobile), without a verified
/// full attestation to back it.
public struct CallerIDScreen: Sendable, Hashable {
    /// What a suspicious caller ID claims to be.
    public enum Claim: String, Sendable, Hashable {
        /// One of `own_numbers`.
        case ownNumber = "own-number"
        /// One of `vips`.
        case vip
    }

    /// A pattern: a number (`+4930123456`), a prefix ending in `*` (`+4930123456*`), or an extension
    /// range (`2000-2999`).
    public struct Pattern: Sendable, Hashable {
        enum Form: Hashable {
            case exact(String)
            case prefix(String)
            case range(ClosedRange<UInt64>, digits: Int)
        }

        let form: Form
        let text: String

        public init?(_ text: String, numbers: TelephoneNumbers) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            self.text = trimmed
            if trimmed.hasSuffix("*") {
                let body = String(trimmed.dropLast())
                guard let digits = numbers.e164(body) else { return nil }
                form = .prefix(digits)
            } else if let dash = trimmed.firstIndex(of: "-"), trimmed.first != "+",
                      let low = UInt64(trimmed[..<dash]), let high = UInt64(trimmed[trimmed.index(after: dash)...]), low <= high {
                form = .range(low...high, digits: trimmed[..<dash].count)
            } else if trimmed.count <= 6, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt64(trimmed) {
                form = .range(value...value, digits: trimmed.count)
            } else {
                guard let digits = numbers.e164(trimmed) else { return nil }
                form = .exact(digits)
            }
        }

        func matches(raw: String, e164: String?) -> Bool {
            switch form {
            case .exact(let number): return e164 == number
            case .prefix(let prefix): return e164?.hasPrefix(prefix) ?? false
            case .range(let range, let digits):
                let plain = raw.split(separator: ";").first.map(String.init) ?? raw
                guard plain.count == digits, let value = UInt64(plain) else { return false }
                return range.contains(value)
            }
        }
    }

    public var numbers: TelephoneNumbers
    public var ownNumbers: [Pattern]
    public var vips: [Pattern]

    public init(numbers: TelephoneNumbers, ownNumbers: [Pattern] = [], vips: [Pattern] = []) {
        self.numbers = numbers
        self.ownNumbers = ownNumbers
        self.vips = vips
    }

    /// Whether there is anything to screen for.
    public var isEmpty: Bool { ownNumbers.isEmpty && vips.isEmpty }

    /// What the caller ID of a call from outside claims, when that is suspicious: it names an own
    /// number or a VIP and its identity is not verified with attestation A.
    public func suspicious(callers: [String], verdict: IdentityVerdict) -> Claim? {
        guard !verdict.isFullyAttested else { return nil }
        for caller in callers {
            let e164 = numbers.e164(caller)
            if vips.contains(where: { $0.matches(raw: caller, e164: e164) }) { return .vip }
            if ownNumbers.contains(where: { $0.matches(raw: caller, e164: e164) }) { return .ownNumber }
        }
        return nil
    }
}
