import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import SMSBotApp
import Synchronization
import TestSupport
import Testing

/// SPEC §3 server limits, through raw TCP connections: a slow client cannot hold a connection,
/// and an idle one is closed.
@Suite(.timeLimit(.minutes(3))) struct ServerLimitsTests {
    /// Runs the app with short limits (the real ones are 60 s and 10 s) on a live port.
    private func withServer(idle: Duration, request: Duration, _ test: @Sendable (Int) async throws -> Void) async throws {
        var configuration = AppConfiguration.test()
        configuration.http.idleTimeout = idle
        configuration.http.requestTimeout = request
        let app = try await buildApplication(configuration)
        try await app.test(.live) { client in
            try await test(try #require(client.port))
        }
    }

    @Test func aHeadThatNeverEndsIsCutOffAtTheRequestDeadline() async throws {
        try await withServer(idle: .seconds(30), request: .seconds(1)) { port in
            let connection = try await RawConnection(port: port)
            try await connection.send("POST /twilio/sms HTTP/1.1\r\nHost: bot.example.com\r\n")
            #expect(try await connection.closedWithin(.seconds(5)))
        }
    }

    @Test func aTrickledBodyIsCutOffAtTheRequestDeadline() async throws {
        try await withServer(idle: .seconds(30), request: .seconds(1)) { port in
            let connection = try await RawConnection(port: port)
            try await connection.send(
                "POST /twilio/sms HTTP/1.1\r\nHost: bot.example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n")
            let start = ContinuousClock.now
            // A byte every 200 ms keeps the connection busy: only the deadline can end it.
            while connection.isOpen, ContinuousClock.now - start < .seconds(6) {
                try? await connection.send("a")
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(!connection.isOpen, "a trickled body held the connection for 6 s")
        }
    }

    @Test func aKeptAliveConnectionMayWaitBetweenRequestsUpToTheIdleTimeout() async throws {
        try await withServer(idle: .seconds(30), request: .seconds(1)) { port in
            let connection = try await RawConnection(port: port)
            let request = "GET /healthz HTTP/1.1\r\nHost: bot.example.com\r\n\r\n"
            try await connection.send(request)
            #expect(try await connection.received(containing: "200 OK", within: .seconds(5)))
            try await Task.sleep(for: .seconds(2))  // longer than the request deadline, shorter than idle
            #expect(connection.isOpen)
            try await connection.send(request)
            #expect(try await connection.received(containing: "200 OK", count: 2, within: .seconds(5)))
        }
    }

    @Test func anIdleConnectionIsClosed() async throws {
        try await withServer(idle: .seconds(1), request: .seconds(10)) { port in
            let connection = try await RawConnection(port: port)
            #expect(try await connection.closedWithin(.seconds(5)))
        }
    }
}

/// A plain TCP connection to the server under test that records what comes back.
private final class RawConnection: Sendable {
    private let channel: any Channel
    private let inbox = Inbox()

    init(port: Int) async throws {
        let inbox = inbox
        channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Recorder(inbox: inbox)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }

    var isOpen: Bool { channel.isActive }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// Whether the server closed the connection within `limit`.
    func closedWithin(_ limit: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while channel.isActive, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return !channel.isActive
    }

    /// Whether `text` arrived `count` times within `limit`.
    func received(containing text: String, count: Int = 1, within limit: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if inbox.text.withLock({ $0.components(separatedBy: text).count - 1 }) >= count { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// What the server sent, as text.
    private final class Inbox: Sendable {
        let text = Mutex("")
    }

    private final class Recorder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let inbox: Inbox

        init(inbox: Inbox) {
            self.inbox = inbox
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            inbox.text.withLock { $0 += text }
        }
    }
}
