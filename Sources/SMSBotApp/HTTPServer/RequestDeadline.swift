import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request (head and body) has not fully arrived within a deadline
/// of its first byte (SPEC §3: a slow client cannot hold a connection).
///
/// Hummingbird's idle timeout alone lets a client keep a connection by trickling a body, and
/// the HTTP decoder reports nothing until a head is complete. So two handlers work together:
/// ``RequestBytesWatcher`` sits first in the pipeline and starts the clock when bytes of a new
/// request arrive; this one sits after HTTP decoding and stops it at the request's end.
final class RequestDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    /// Bytes arrived on `channel`: starts the clock unless a request is already being read.
    func bytesArrived(on channel: any Channel) {
        guard deadline == nil else { return }
        deadline = channel.eventLoop.scheduleTask(in: timeout) {
            channel.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) {
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }
}

/// The raw-bytes half of ``RequestDeadlineHandler``: first in the pipeline, before the HTTP decoder.
final class RequestBytesWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var deadlineHandler: RequestDeadlineHandler?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if deadlineHandler == nil {
            deadlineHandler = try? context.pipeline.syncOperations.handler(type: RequestDeadlineHandler.self)
        }
        deadlineHandler?.bytesArrived(on: context.channel)
        context.fireChannelRead(data)
    }
}

/// HTTP/1 with the limits of SPEC §3: a connection idle for `idleTimeout` is closed, and so is
/// one whose request has not arrived whole within `requestTimeout` of its first byte.
struct LimitedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel

    init(responder: @escaping HTTPChannelHandler.Responder, idleTimeout: TimeAmount, requestTimeout: TimeAmount) {
        base = HTTP1Channel(
            responder: responder,
            configuration: .init(additionalChannelHandlers: [RequestDeadlineHandler(timeout: requestTimeout)], idleTimeout: idleTimeout))
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(RequestBytesWatcher(), position: .first)
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with an idle timeout and a request deadline (``LimitedHTTP1Channel``).
    static func limitedHTTP1(idleTimeout: Duration, requestTimeout: Duration) -> HTTPServerBuilder {
        .init { responder in
            LimitedHTTP1Channel(responder: responder, idleTimeout: TimeAmount(idleTimeout), requestTimeout: TimeAmount(requestTimeout))
        }
    }
}
