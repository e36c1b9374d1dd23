/// "Did you mean" suggestions for misspelt keys, names and enumeration values.
enum Suggestion {
    /// The candidate closest to `word`, if it is close enough to be a likely typo: the same word
    /// written in another case or with `_`/`-` differences, an abbreviation of it (`warn` for
    /// `warning`), or within a small edit distance.
    static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        let folded = fold(word)
        var best: (candidate: String, distance: Int)?
        var abbreviated: String?
        for candidate in candidates {
            let foldedCandidate = fold(candidate)
            if foldedCandidate == folded { return candidate }
            if folded.count >= 3, foldedCandidate.hasPrefix(folded), abbreviated == nil { abbreviated = candidate }
            let distance = editDistance(Array(word.lowercased().utf8), Array(candidate.lowercased().utf8))
            if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        if let abbreviated { return abbreviated }
        guard let best else { return nil }
        let allowance = word.utf8.count >= 5 ? 2 : 1
        return best.distance <= allowance ? best.candidate : nil
    }

    /// `" (did you mean 'x'?)"`, or an empty string when nothing is close.
    static func hint(for word: String, in candidates: some Sequence<String>) -> String {
        guard let match = closest(to: word, in: candidates) else { return "" }
        return " (did you mean '\(match)'?)"
    }

    private static func fold(_ text: String) -> String {
        String(text.lowercased().filter { $0 != "_" && $0 != "-" })
    }

    /// The Levenshtein distance between two byte strings.
    static func editDistance(_ lhs: [UInt8], _ rhs: [UInt8]) -> Int {
        if lhs.isEmpty { return rhs.count }
        if rhs.isEmpty { return lhs.count }
        var previous = Array(0...rhs.count)
        var current = Array(repeating: 0, count: rhs.count + 1)
        for i in 1...lhs.count {
            current[0] = i
            for j in 1...rhs.count {
                let substitution = previous[j - 1] + (lhs[i - 1] == rhs[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[rhs.count]
    }
}
