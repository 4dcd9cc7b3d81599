public import Foundation
public import ServiceLifecycle
public import SMSBotCore
public import TwilioKit

/// Where smsbot keeps everything: policies, conversations, codes issued, idempotency records,
/// the outbox and the audit trail, one protocol per concern. SQLite (SMSBotSQLite) and
/// PostgreSQL (SMSBotPostgres) implement them; no SQL leaves those modules.
public typealias SMSBotStore = ConversationStore & PolicyStore & OutboxStore & AccessKeyStore & VerificationStore & OperatorStore
    & StoreMaintenance

/// Policies and their claims.
public protocol PolicyStore: Sendable {
    /// Inserts or updates policies (with their claims, replaced whole), all or nothing.
    func upsertPolicies(_ policies: [Policy], at now: Date) async throws

    /// Inserts those of `policies` whose number is not stored yet; returns how many that was.
    func insertMissingPolicies(_ policies: [Policy], at now: Date) async throws -> Int

    /// Every policy, ordered by number.
    func allPolicies() async throws -> [Policy]
}

/// The durable outbox of SMS to send, and what Twilio reports of them.
public protocol OutboxStore: Sendable {
    /// Claims up to `limit` outbound SMS that are due, marking them in flight for `lease`.
    ///
    /// Only the oldest unfinished SMS to each phone is ever handed out, so one phone's SMS leave
    /// in the order they were queued whatever the number of claimers. An SMS whose claimer
    /// died (its lease ran out) counts as an ambiguous attempt when handed out again, and
    /// one that already had one is dropped instead: at most one more send.
    func claimDueOutbound(at now: Date, limit: Int, lease: TimeInterval) async throws -> [OutboxMessage]

    /// Records what became of an outbound SMS claimed by ``claimDueOutbound(at:limit:lease:)``.
    func completeOutbound(id: Int64, result: OutboxResult, at now: Date) async throws

    /// How many SMS wait in the outbox (pending or in flight).
    func outboxDepth() async throws -> Int

    /// Records Twilio's `MessageStatus` for the SMS it knows as `providerID`, unless a status
    /// further along is already recorded. Returns whether such an SMS exists.
    func recordDeliveryStatus(providerID: String, status: DeliveryStatus, at now: Date) async throws -> Bool
}

/// The store's own upkeep: its schema, its background work, its health and its purge.
public protocol StoreMaintenance: Sendable {
    /// What must run while the store is used (a connection pool, a WAL checkpointer); the app
    /// runs them under ServiceLifecycle, ``withRunningStore(_:_:)`` for a command-line task.
    var services: [any Service] { get }

    /// Creates or upgrades the schema; safe to run from several processes at once. Needs
    /// ``services`` running.
    func migrate() async throws

    /// Succeeds when the store answers a query that touches its schema.
    func checkHealth() async throws

    /// Deletes what SPEC §5 says is kept no longer; returns how many rows went.
    func purge(at now: Date) async throws -> Int
}
