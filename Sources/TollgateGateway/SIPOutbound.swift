import SIPTransport

/// Where the proxy core sends bytes. The transport layer in production; a recorder in tests.
public protocol SIPOutbound: AnyObject {
    func send(_ bytes: [UInt8], to peer: SIPPeer, from listener: Int?)
}

extension SIPTransportLayer: SIPOutbound {}
