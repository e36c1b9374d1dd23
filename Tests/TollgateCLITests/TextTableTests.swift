import Testing
@testable import tollgate

@Suite("TextTable")
struct TextTableTests {
    @Test("columns are padded to the widest cell, two spaces apart, with no trailing spaces")
    func alignment() {
        var table = TextTable("A", "LONG HEADER", "C")
        table.append(["wide cell", "x", "last"])
        table.append(["y", "z", ""])
        #expect(table.rendered == """
            A          LONG HEADER  C
            wide cell  x            last
            y          z
            """)
    }

    @Test("control characters in cells are escaped, so a cell cannot add a row or drive the terminal")
    func controlCharacters() {
        #expect(TextTable.printable("plain ☎ text") == "plain ☎ text")
        #expect(TextTable.printable("a\nb\tc") == "a\\x0Ab\\x09c")
        #expect(TextTable.printable("\u{1B}[31mred") == "\\x1B[31mred")
        #expect(TextTable.printable("\u{7F}\u{85}") == "\\x7F\\u{0085}")
        var table = TextTable("H")
        table.append(["one\ntwo"])
        #expect(table.rendered.split(separator: "\n").count == 2)
    }
}
