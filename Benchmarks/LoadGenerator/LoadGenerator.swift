import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import Synchronization
import TwilioKit

/// Drives smsbot (or the baseline) with many customers at once, each walking a whole
/// conversation with signed webhooks and unique MessageSids; prints one JSON line of results.
/// With `--api-key`, calls the verification API instead: every customer's create (and its SMS),
/// then every customer's check, each phase measured on its own.
@main
struct LoadGenerator: AsyncParsableCommand {
    @Option(help: "The server's base URL.") var target = "http://127.0.0.1:8080"
    @Option(help: "The public URL the server validates signatures against.") var publicURL = "https://bench.example.com"
    @Option(help: "The auth token requests are signed with.") var authToken = "bench-auth-token-0123456789abcdef"
    @Option(help: "The account SID sent in each request.") var accountSid = "AC0123456789abcdef0123456789abcdef"
    @Option(help: "Customers, each walking a full conversation.") var customers = 1000
    @Option(help: "Customers in flight at once.") var concurrency = 64
    @Option(help: "Index of the first policy (BENCH-<index>, phone +1555<8000000+index>).") var firstPolicy = 0
    @Option(help: "Port of the fake Twilio Messages API smsbot sends codes to (0: none, as for the baseline).")
    var twilioPort = 0
    @Option(help: "A verify key: drive the verification API (create, then check) instead of the webhook.") var apiKey: String?
    @Option(help: "The server's process id, to report its CPU per phase (0: none).") var serverPid = 0

    func run() async throws {
        let inbox = CodeInbox()
        try await withThrowingTaskGroup(of: Void.self) { group in
            if twilioPort > 0 {
                group.addTask { try await inbox.application(port: twilioPort).runService(gracefulShutdownSignals: []) }
                try await Task.sleep(for: .milliseconds(500))
            }
            let result =
                if let apiKey { try await driveAPI(inbox: inbox, apiKey: apiKey) } else { try await drive(inbox: twilioPort > 0 ? inbox : nil) }
            print(result)
            group.cancelAll()
        }
    }

    private func drive(inbox: CodeInbox?) async throws -> String {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let results = Results()
        let started = ContinuousClock.now
        let template = Customer(
            client: client, target: target, publicURL: publicURL, authToken: authToken, accountSID: accountSid, phone: "", policy: "")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in firstPolicy..<(firstPolicy + customers) {
                if index - firstPolicy >= concurrency { try await group.next() }
                var customer = template
                customer.phone = "+1555\(8_000_000 + index)"
                customer.policy = "BENCH-\(index)"
                group.addTask { [customer] in
                    results.add(await customer.walk(inbox: inbox))
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        try await client.shutdown()
        let sorted = results.latencies.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))].milliseconds
        }
        let seconds = elapsed.milliseconds / 1000
        return String(
            format: #"{"messages": %d, "failures": %d, "seconds": %.3f, "messagesPerSecond": %.1f, "p50Ms": %.3f, "p99Ms": %.3f}"#,
            sorted.count, results.failures, seconds, Double(sorted.count) / seconds, percentile(0.5), percentile(0.99))
    }
}

extension LoadGenerator {
    /// Every customer's verification created (and its code received), then every one checked.
    private func driveAPI(inbox: CodeInbox, apiKey: String) async throws -> String {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let caller = VerificationCaller(client: client, target: target, apiKey: apiKey)
        let indices = Array(firstPolicy..<(firstPolicy + customers))
        let pending = Mutex<[Int: (id: String, code: String)]>([:])
        let creates = try await phase(indices) { index in
            let (id, latency) = await caller.create(policy: "BENCH-\(index)")
            guard let id, let code = await inbox.code(for: "+1555\(8_000_000 + index)") else { return (latency, false) }
            pending.withLock { $0[index] = (id, code) }
            return (latency, true)
        }
        let checks = try await phase(indices) { index in
            guard let verification = pending.withLock({ $0[index] }) else { return (.zero, false) }
            let (approved, latency) = await caller.check(id: verification.id, code: verification.code)
            return (latency, approved)
        }
        try await client.shutdown()
        return #"{"create": \#(creates), "check": \#(checks)}"#
    }

    /// Runs `request` for every index, `concurrency` at a time; its results as a JSON object.
    private func phase(_ indices: [Int], _ request: @escaping @Sendable (Int) async -> (Duration, Bool)) async throws -> String {
        let results = Results()
        let ticksBefore = serverCPUTicks()
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (offset, index) in indices.enumerated() {
                if offset >= concurrency { try await group.next() }
                group.addTask {
                    let (latency, ok) = await request(index)
                    results.add(Customer.Outcome(latencies: [latency], failures: ok ? 0 : 1))
                }
            }
            try await group.waitForAll()
        }
        let seconds = (ContinuousClock.now - started).milliseconds / 1000
        let cpuSeconds = Double(serverCPUTicks() - ticksBefore) / Double(sysconf(Int32(_SC_CLK_TCK)))
        let sorted = results.latencies.sorted()
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))].milliseconds }
        return String(
            format: #"{"requests": %d, "failures": %d, "seconds": %.3f, "requestsPerSecond": %.1f, "p50Ms": %.3f, "p99Ms": %.3f, "cpuSecondsPer1000": %.3f}"#,
            sorted.count, results.failures, seconds, Double(sorted.count) / seconds, percentile(0.5), percentile(0.99),
            cpuSeconds / Double(max(1, sorted.count)) * 1000)
    }

    /// The server's user + system CPU time so far, in clock ticks (`/proc/PID/stat`); 0 without a pid.
    private func serverCPUTicks() -> Int {
        guard serverPid > 0, let stat = try? String(contentsOfFile: "/proc/\(serverPid)/stat", encoding: .utf8),
            let afterName = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: afterName)...].split(separator: " ")
        // Fields 14 and 15 of the file (utime, stime) are the 12th and 13th after the name.
        return fields.count > 12 ? (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0) : 0
    }
}

extension Duration {
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}

/// What every customer measured.
final class Results: Sendable {
    private let state = Mutex<([Duration], Int)>(([], 0))

    func add(_ outcome: Customer.Outcome) {
        state.withLock {
            $0.0 += outcome.latencies
            $0.1 += outcome.failures
        }
    }

    var latencies: [Duration] { state.withLock { $0.0 } }
    var failures: Int { state.withLock { $0.1 } }
}
