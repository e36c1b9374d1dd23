// libFuzzer entry point for SIPCore: parse, validate, every typed view, round trip, and stream framing.
// Built together with SIPCore's sources by scripts/fuzz/run (one module, so no import is needed).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSIPCore(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let message = try? SIPMessage(parsing: bytes) {
        _ = try? message.validate()
        _ = try? message.vias()
        _ = try? message.from()
        _ = try? message.to()
        _ = try? message.contacts()
        _ = try? message.routes()
        _ = try? message.authorizations()
        _ = try? message.wwwAuthenticates()
        _ = try? message.contentType()
        if let uri = message.requestURIText, let parsed = try? SIPURI(parsing: uri) {
            _ = parsed.isEquivalent(to: parsed)
        }
        _ = try? SDPSession(parsing: message.bodyBytes)
        let serialized = message.serialized()
        guard let again = try? SIPMessage(parsing: serialized), again == message, again.serialized() == serialized else {
            fatalError("round trip failed")
        }
    }
    var framer = SIPStreamFramer(maximumMessageSize: 8192)
    framer.append(bytes)
    framer.append(bytes)
    while let frame = try? framer.next() {
        if case .message(let frameBytes) = frame { _ = try? SIPMessage(parsing: frameBytes) }
    }
    return 0
}
