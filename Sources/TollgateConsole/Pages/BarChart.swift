import TollgateModel

/// A stacked bar chart drawn as inline SVG (no script, no library): one bar per bucket (an hour),
/// stacked by series (destination class, attack kind), with a legend. Labels are escaped.
struct BarChart {
    struct Bar {
        var label: String
        var values: [String: Int]
    }

    var title: String
    var bars: [Bar]
    var series: [String]

    static let palette = ["#1d4ed8", "#dc2626", "#f59e0b", "#15803d", "#7c3aed", "#0891b2", "#be185d", "#4b5563"]

    func svg(width: Int = 760, height: Int = 180) -> String {
        let top = bars.map { $0.values.values.reduce(0, +) }.max() ?? 0
        let plotHeight = height - 40
        let slot = bars.isEmpty ? 0 : Double(width - 40) / Double(bars.count)
        var out = "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(width) \(height + 20 * ((series.count + 3) / 4))\" width=\"\(width)\" "
        out += "xmlns=\"http://www.w3.org/2000/svg\"><title>\(HTMLText.escape(title))</title>"
        out += "<text x=\"4\" y=\"12\" font-size=\"11\">\(top)</text><line x1=\"36\" y1=\"4\" x2=\"36\" y2=\"\(plotHeight)\" stroke=\"#999\"/>"
        for (index, bar) in bars.enumerated() {
            let x = 40 + Double(index) * slot
            var y = Double(plotHeight)
            for (seriesIndex, name) in series.enumerated() {
                let value = bar.values[name] ?? 0
                guard value > 0, top > 0 else { continue }
                let h = Double(value) / Double(top) * Double(plotHeight - 8)
                y -= h
                out += "<rect x=\"\(fmt(x + 1))\" y=\"\(fmt(y))\" width=\"\(fmt(max(1, slot - 2)))\" height=\"\(fmt(h))\" "
                out += "fill=\"\(Self.palette[seriesIndex % Self.palette.count])\"><title>\(HTMLText.escape("\(bar.label) \(name): \(value)"))</title></rect>"
            }
            if index % max(1, bars.count / 8) == 0 {
                out += "<text x=\"\(fmt(x))\" y=\"\(plotHeight + 14)\" font-size=\"10\">\(HTMLText.escape(bar.label))</text>"
            }
        }
        for (index, name) in series.enumerated() {
            let x = 40 + (index % 4) * 180, y = height + 20 * (index / 4) - 8
            out += "<rect x=\"\(x)\" y=\"\(y - 9)\" width=\"10\" height=\"10\" fill=\"\(Self.palette[index % Self.palette.count])\"/>"
            out += "<text x=\"\(x + 14)\" y=\"\(y)\" font-size=\"11\">\(HTMLText.escape(String(name.prefix(28))))</text>"
        }
        return out + "</svg>"
    }

    private func fmt(_ value: Double) -> String { String(format: "%.1f", value) }
}
