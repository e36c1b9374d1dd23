import NIOCore
import NIOHTTP1

/// Reads the response to the one request sent on a webhook connection and completes a promise with its
/// head. The body is read and discarded; informational (1xx) responses are skipped.
final class WebhookResponseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let response: EventLoopPromise<HTTPResponseHead>
    private var head: HTTPResponseHead?
    private var skippingInformational = false

    init(response: EventLoopPromise<HTTPResponseHead>) {
        self.response = response
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            if head.status.code < 200 {
                self.skippingInformational = true
            } else {
                self.head = head
            }
        case .body:
            break
        case .end:
            if self.skippingInformational {
                self.skippingInformational = false
            } else if let head = self.head {
                self.response.succeed(head)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A response whose body ends with the connection is complete once its head has arrived.
        if let head = self.head {
            self.response.succeed(head)
        } else {
            self.response.fail(WebhookDeliveryError.closedBeforeResponse)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.response.fail(WebhookDeliveryError.connectionError(error))
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension WebhookResponseHandler: Sendable {}
