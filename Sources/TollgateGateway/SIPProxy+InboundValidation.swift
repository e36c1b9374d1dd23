import SIPCore

extension SIPProxy {
    /// What validation makes of a message as it arrived: already known (the reader validated it),
    /// or worked out when first asked (on the loop, once Shield and admission let it through); with
    /// the Call-ID the inside knows the call by. A value, so asking costs no allocation.
    struct InboundValidation {
        let preparer: SIPPacketPreparer
        /// The message as it arrived (its Call-ID the outside's, under topology hiding).
        let message: SIPMessage
        let zone: GatewayZone
        /// The reader thread's result, or `nil` when the loop validates.
        let done: Result<SIPValidatedHeaders, SIPValidationError>?
        /// The Call-ID the inside knows the call by, when it differs from the message's.
        let insideCallID: String?

        /// The typed headers (with the inside Call-ID), or the first rule the message breaks.
        func result() -> Result<SIPValidatedHeaders, SIPValidationError> {
            let result = done ?? preparer.validate(message, zone: zone)
            guard let insideCallID else { return result }
            return result.map { headers in
                var inner = headers
                inner.callID = insideCallID
                return inner
            }
        }
    }
}
