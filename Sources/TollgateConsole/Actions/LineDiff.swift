/// A line diff of two texts (longest common subsequence), shown as people read a unified diff:
/// changed lines with two lines of context, `-` for removed and `+` for added.
public enum LineDiff {
    public struct Line: Sendable, Hashable {
        public enum Change: Sendable, Hashable { case same, removed, added }
        public var change: Change
        public var text: String
        /// `"  "`, `"- "` or `"+ "` and the text.
        public var rendered: String {
            switch change {
            case .same: "  " + text
            case .removed: "- " + text
            case .added: "+ " + text
            }
        }
    }

    /// The changed lines of `old` → `new` with `context` lines around each change; `…` lines mark
    /// what is left out; empty when the texts are the same.
    public static func lines(from old: String, to new: String, context: Int = 2) -> [Line] {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // lengths[i][j]: the longest common subsequence of a[i...] and b[j...].
        var lengths = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lengths[i][j] = a[i] == b[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var all: [Line] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                all.append(Line(change: .same, text: a[i])); i += 1; j += 1
            } else if j < b.count, i == a.count || lengths[i][j + 1] >= lengths[i + 1][j] {
                all.append(Line(change: .added, text: b[j])); j += 1
            } else {
                all.append(Line(change: .removed, text: a[i])); i += 1
            }
        }
        let changed = all.indices.filter { all[$0].change != .same }
        guard !changed.isEmpty else { return [] }
        var keep = Set<Int>()
        for index in changed { for near in max(0, index - context)...min(all.count - 1, index + context) { keep.insert(near) } }
        var shown: [Line] = []
        var previous = -1
        for index in keep.sorted() {
            if previous >= 0, index > previous + 1 { shown.append(Line(change: .same, text: "…")) }
            shown.append(all[index])
            previous = index
        }
        return shown
    }
}
