public import Foundation
public import SMSBotCore

/// The portal's server-side sessions (SPEC §10) and its overview figures. A session id is
/// kept only as its SHA-256, so a copy of the database opens no session.
extension OperatorStore {
    /// Stores a new session for the operator key `keyName` at `now`.
    public func createPortalSession(idDigest: String, keyName: String, csrfToken: String, at now: Date) async throws {
        _ = try await runScript(reads: []) { _ in
            [
                StoreStatement(
                    "INSERT INTO portal_sessions (id_sha256, key_name, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
                    [.text(idDigest), .text(keyName), .text(csrfToken), .integer(now.unixMilliseconds)]),
                // Sessions over their limits are forgotten as new ones come.
                StoreStatement(
                    "DELETE FROM portal_sessions WHERE last_seen_at < $1 OR created_at < $2",
                    [
                        .integer(now.addingTimeInterval(-PortalSession.idleLimit).unixMilliseconds),
                        .integer(now.addingTimeInterval(-PortalSession.absoluteLimit).unixMilliseconds),
                    ]),
            ]
        }
    }

    /// The live session whose id has this digest, marked seen at `now`: within its idle and
    /// absolute limits, and its key neither revoked nor of another role (`admin` is checked by the caller).
    public func portalSession(idDigest: String, at now: Date) async throws -> PortalSession? {
        let rows = try await read(
            StoreStatement(
                """
                UPDATE portal_sessions SET last_seen_at = $1
                WHERE id_sha256 = $2 AND last_seen_at > $3 AND created_at > $4
                AND (key_name = 'admin' OR EXISTS (
                    SELECT 1 FROM access_keys WHERE name = portal_sessions.key_name AND role = 'operator' AND revoked_at IS NULL))
                RETURNING key_name, csrf_token
                """,
                [
                    .integer(now.unixMilliseconds), .text(idDigest),
                    .integer(now.addingTimeInterval(-PortalSession.idleLimit).unixMilliseconds),
                    .integer(now.addingTimeInterval(-PortalSession.absoluteLimit).unixMilliseconds),
                ]))[0]
        guard let row = rows.first, let key = row[0].text, let csrf = row[1].text else { return nil }
        return PortalSession(keyName: key, csrfToken: csrf)
    }

    /// Ends the session whose id has this digest.
    public func deletePortalSession(idDigest: String) async throws {
        _ = try await runScript(reads: []) { _ in
            [StoreStatement("DELETE FROM portal_sessions WHERE id_sha256 = $1", [.text(idDigest)])]
        }
    }

    /// Today's figures since `start`, and the outbox depth now.
    public func overview(since start: Date) async throws -> PortalOverview {
        let row = try await read(
            StoreStatement(
                """
                SELECT
                    (SELECT count(*) FROM processed_messages WHERE received_at >= $1),
                    (SELECT count(*) FROM audit_events WHERE occurred_at >= $1 AND event IN ('code_sent', 'verification_created')),
                    (SELECT count(*) FROM audit_events WHERE occurred_at >= $1 AND event IN ('verified', 'verification_approved')),
                    (SELECT count(*) FROM audit_events WHERE occurred_at >= $1 AND event IN ('locked', 'verification_max_attempts')),
                    (SELECT count(*) FROM outbox WHERE updated_at >= $1
                        AND (delivery_status IN ('undelivered', 'failed') OR status = 'dropped')),
                    (SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending'))
                """, [.integer(start.unixMilliseconds)]))[0].first ?? []
        func figure(_ index: Int) -> Int { index < row.count ? Int(row[index].integer ?? 0) : 0 }
        return PortalOverview(
            inboundMessages: figure(0), codesSent: figure(1), verifications: figure(2), lockouts: figure(3), failedDeliveries: figure(4),
            outboxDepth: figure(5))
    }
}

/// A signed-in portal session.
public struct PortalSession: Equatable, Sendable {
    /// The operator key that signed in (`admin` for `admin.token`).
    public var keyName: String
    /// The token every changing form must carry.
    public var csrfToken: String

    /// A session ends after 30 minutes without a request, and 8 hours after sign-in at most.
    public static let idleLimit: TimeInterval = 30 * 60
    public static let absoluteLimit: TimeInterval = 8 * 3600
}

/// The portal overview's figures.
public struct PortalOverview: Equatable, Sendable {
    public var inboundMessages: Int
    public var codesSent: Int
    public var verifications: Int
    public var lockouts: Int
    public var failedDeliveries: Int
    public var outboxDepth: Int
}

extension SharedSQL {
    /// Migration `v7-portal-sessions`: the portal's server-side sessions.
    public static let portalSchema = [
        """
        CREATE TABLE portal_sessions (
            id_sha256 TEXT PRIMARY KEY,
            key_name TEXT NOT NULL,
            csrf_token TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            last_seen_at BIGINT NOT NULL
        )
        """
    ]
}
