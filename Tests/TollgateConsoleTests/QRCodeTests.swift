import Foundation
import Testing

@testable import TollgateConsole

/// The QR code drawn in-process: its structure, and the proof that a real reader decodes it —
/// headless Chromium draws the SVG, zbarimg (zbar-tools) reads the PNG.
@Suite("QR codes for TOTP enrolment")
struct QRCodeTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let zbarimg = ["/usr/bin/zbarimg"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// Under CI both are installed by the test script, so the decoding test runs and fails rather than skips.
    static let canDecode = (chromium != nil && zbarimg != nil) || ProcessInfo.processInfo.environment["CI"] == "true"

    @Test("the version grows with the text; finder patterns in three corners; too long is refused")
    func structure() throws {
        #expect(try QRCode("hello").version == 1 && (try QRCode("hello").size) == 21)
        let uri = TOTPCheck(secret: TOTPCheck.newSecret()).authenticatorURI(user: "ana.lopez")
        let code = try QRCode(uri)
        #expect(code.version >= 5 && code.version <= 7, "\(uri.utf8.count) bytes: version \(code.version)")
        for (x, y) in [(0, 0), (code.size - 7, 0), (0, code.size - 7)] {
            #expect(code.modules[y][x] && code.modules[y + 6][x + 6] && !code.modules[y + 1][x + 1] && code.modules[y + 3][x + 3])
        }
        #expect(throws: QRCode.TooLong.self) { try QRCode(String(repeating: "x", count: 214)) }
        #expect(try QRCode(String(repeating: "x", count: 213)).version == 10)
        #expect(code.svg().hasPrefix("<svg") && code.svg().contains("<path d=\"M"))
    }

    @Test("Reed-Solomon: the RFC-style example remainder of ISO 18004's version 1-M", arguments: [0])
    func reedSolomon(_ unused: Int) {
        // "01234567" in numeric mode, version 1-M (ISO/IEC 18004 Annex I): data codewords and their ECC.
        let data: [UInt8] = [16, 32, 12, 86, 97, 128, 236, 17, 236, 17, 236, 17, 236, 17, 236, 17]
        let ecc = QRCode.reedSolomonRemainder(data, QRCode.reedSolomonDivisor(10))
        #expect(ecc == [165, 36, 212, 193, 237, 54, 199, 135, 44, 85])
    }

    @Test("a reader decodes what was drawn, for short and long otpauth URIs", .enabled(if: canDecode))
    func decodes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-qr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let texts = [
            "hello",
            TOTPCheck(secret: TOTPCheck.newSecret()).authenticatorURI(user: "ana"),
            TOTPCheck(secret: TOTPCheck.newSecret()).authenticatorURI(user: "operations.night-shift.lead"),
            "otpauth://totp/Tollgate:x?secret=" + String(repeating: "A", count: 150),
        ]
        for (index, text) in texts.enumerated() {
            let html = folder.appendingPathComponent("qr\(index).html")
            try "<html><body style=\"margin:0;background:#fff\">\(try QRCode(text).svg(scale: 8))</body></html>".write(to: html, atomically: true, encoding: .utf8)
            let png = folder.appendingPathComponent("qr\(index).png").path
            try Self.run(Self.chromium ?? "/usr/bin/chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                                                 "--window-size=900,900", "--screenshot=\(png)", html.absoluteString])
            let decoded = try Self.run(Self.zbarimg ?? "/usr/bin/zbarimg", ["--raw", "-q", png]).trimmingCharacters(in: .whitespacesAndNewlines)
            let version = try QRCode(text).version
            #expect(decoded == text, "version \(version)")
        }
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
