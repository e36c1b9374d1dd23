import Foundation
import Testing
@testable import TollgateFraud

@Suite("CDR HTML report")
struct CDRReportHTMLTests {
    @Test("Text from the CDR file is escaped: a script in an account or a number comes out inert")
    func escaping() throws {
        var rows = ""
        for index in 0..<8 {
            let start = String(format: "2026-11-24 22:%02d:00", index * 5)
            let end = String(format: "2026-11-24 22:%02d:30", index * 5)
            rows += #""<script>alert('a')</script>","201","00331420000\#(index)","c","""Eve"" <201>","","","","","\#(start)","\#(start)","\#(end)","30","30","ANSWERED","3""# + "\n"
        }
        rows += #""<script>alert('a')</script>","201","<img src=x>","c","","","","","","2026-11-24 23:00:00","","2026-11-24 23:00:09","9","0","FAILED","3""# + "\n"
        let path = try CDRTestSupport.temporaryFile(rows)
        var config = try CDRTestSupport.fraudConfig(nil)
        config.defaultClassOfService = "national"
        let analysis = try CDRAnalyzer(options: .init(format: .asterisk)).analyze(path: path, policy: try CDRTestSupport.engine(config))
        #expect(!analysis.findings.isEmpty)
        let html = CDRReportHTML(analysis: analysis, fileName: "<b>cdr</b>.csv").rendered
        #expect(!html.contains("<script>"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>cdr"))
        #expect(html.contains("&lt;script&gt;alert(&#39;a&#39;)&lt;/script&gt;"))
        #expect(html.contains("&lt;b&gt;cdr&lt;/b&gt;.csv"))
    }

    @Test("The report is self-contained: inline SVG charts, no script and nothing fetched")
    func selfContained() throws {
        let analysis = try CDRTestSupport.analyze(CDRTestSupport.fixture("night-burst-asterisk.csv"), format: .asterisk, config: "night.yaml")
        let html = CDRReportHTML(analysis: analysis, fileName: "night.csv").rendered
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<svg"))
        #expect(html.components(separatedBy: "<svg").count >= 4, "hour chart, destination bars, timeline")
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("@import"))
        #expect(html.contains("Calls per hour of the day"))
        #expect(html.contains("Top destinations"))
        #expect(html.contains("Timeline of findings"))
        #expect(html.contains("international-per-hour · 212"))
    }

    @Test("escape covers the five HTML-special characters and control characters")
    func escapeFunction() {
        #expect(CDRReportHTML.escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&#39;f")
        #expect(CDRReportHTML.escape("x\u{1B}[31m") == "x&#xFFFD;[31m")
    }
}
