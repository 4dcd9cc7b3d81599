public import Foundation
public import SMSBotCore

/// The verification API's SQL, the same in SQLite and PostgreSQL. A binding's requester (the
/// key, as `key:NAME`) and subject (`phone:…` or `policy:…`) go in the `phone` and
/// `policy_number` columns of the tables the SMS conversation counts codes, failures and
/// lockouts in, so both channels share the per-destination cap.
extension SharedSQL {
    /// Migration `v5-verifications`: verifications, idempotency records, and each key's
    /// request window (`api.requestsPerMinute`, counted in the store so every instance agrees).
    public static let verificationsSchema = [
        """
        CREATE TABLE verifications (
            id TEXT PRIMARY KEY,
            requester TEXT NOT NULL,
            subject TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'max_attempts_reached', 'expired', 'canceled')),
            code_hash TEXT NOT NULL,
            issued_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            attempts_left BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX verifications_pending ON verifications(requester, subject) WHERE status = 'pending'",
        "CREATE INDEX verifications_updated_at ON verifications(updated_at)",
        """
        CREATE TABLE idempotency_records (
            requester TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            request_sha256 TEXT NOT NULL,
            response TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (requester, idempotency_key)
        )
        """,
        "CREATE INDEX idempotency_records_created_at ON idempotency_records(created_at)",
        "ALTER TABLE access_keys ADD COLUMN window_started_at BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE access_keys ADD COLUMN window_requests BIGINT NOT NULL DEFAULT 0",
    ]

    /// The phone on file of the policy $1.
    public static let phoneOnFile = "SELECT phone FROM policies WHERE policy_number = $1"

    /// The facts of a verification request in one row ($1 the binding's requester, $2 its
    /// subject, $3 an hour ago, $4 the destination phone or ``noPhone``): failures, the latest
    /// lockout's end, codes this key asked for the subject, codes sent to the phone, codes the
    /// whole API issued (requesters `key:…`), and whether the phone opted out.
    public static let verificationFacts = """
        SELECT
            (SELECT failures FROM verification_failures WHERE phone = $1 AND policy_number = $2),
            (SELECT max(locked_until) FROM lockouts WHERE phone = $1 AND policy_number = $2),
            (SELECT count(*) FROM otp_challenges WHERE requester_phone = $1 AND policy_number = $2 AND issued_at > $3),
            (SELECT count(*) FROM otp_challenges WHERE destination_phone = $4 AND issued_at > $3),
            (SELECT count(*) FROM otp_challenges WHERE requester_phone >= 'key:' AND requester_phone < 'key;' AND issued_at > $3),
            EXISTS (SELECT 1 FROM opt_outs WHERE phone = $4)
        """

    /// The columns ``verification(_:)`` reads, in order.
    static let verificationColumns = "id, requester, subject, status, code_hash, issued_at, expires_at, attempts_left, created_at"

    /// The key $1's verification of the subject $2 stored as pending.
    public static let pendingVerification =
        "SELECT \(verificationColumns) FROM verifications WHERE requester = $1 AND subject = $2 AND status = 'pending'"

    /// The verification $1 if the key $2 created it.
    public static let verificationByID = "SELECT \(verificationColumns) FROM verifications WHERE id = $1 AND requester = $2"

    /// When the lockouts of the binding ($1, $2) that started after $3 started.
    public static let bindingLockouts = "SELECT locked_at FROM lockouts WHERE phone = $1 AND policy_number = $2 AND locked_at > $3"

    /// The request digest, stored response and time of the key $1's idempotency key $2.
    public static let idempotencyRecord =
        "SELECT request_sha256, response, created_at FROM idempotency_records WHERE requester = $1 AND idempotency_key = $2"

    /// Reads a row of ``verificationColumns``; `nil` for a row this version cannot read.
    public static func verification(
        id: String, requester: String, subject: String, status: String, codeHash: String, issuedAt: Int64, expiresAt: Int64,
        attemptsLeft: Int64, createdAt: Int64
    ) -> APIVerification? {
        guard let destination = APIVerification.Destination(subject: subject), let status = APIVerification.Status(rawValue: status),
            let hash = Data(hex: codeHash)
        else { return nil }
        return APIVerification(
            id: id, requester: requester, destination: destination, status: status,
            challenge: CodeChallenge(codeHash: hash, issuedAt: Date(unixMilliseconds: issuedAt), expiresAt: Date(unixMilliseconds: expiresAt)),
            attemptsLeft: Int(attemptsLeft), createdAt: Date(unixMilliseconds: createdAt))
    }

    /// Stores `response` for the key's idempotency key, replacing one older than the window.
    public static func storingIdempotentResponse(
        _ response: StoredResponse, requester: String, key: String, requestDigest: String, at now: Date
    ) throws -> StoreStatement {
        let encoded = String(decoding: try JSONEncoder().encode(response), as: UTF8.self)
        return StoreStatement(
            """
            INSERT INTO idempotency_records (requester, idempotency_key, request_sha256, response, created_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (requester, idempotency_key) DO UPDATE
            SET request_sha256 = excluded.request_sha256, response = excluded.response, created_at = excluded.created_at
            """, [.text(requester), .text(key), .text(requestDigest), .text(encoded), .integer(now.unixMilliseconds)])
    }

    /// What a stored idempotency record means for `request` at its time.
    public static func idempotencyOutcome(
        for request: VerificationRequest, storedDigest: String, response: String, createdAt: Int64
    ) -> VerificationRequestOutcome? {
        guard let idempotency = request.idempotency,
            request.now.timeIntervalSince(Date(unixMilliseconds: createdAt)) < VerificationRequest.idempotencyWindow
        else { return nil }
        guard storedDigest == idempotency.requestDigest else { return .idempotencyKeyReused }
        return (try? JSONDecoder().decode(StoredResponse.self, from: Data(response.utf8))).map(VerificationRequestOutcome.replayed)
    }

    /// The writes that store `write` at `now`, in order, then its idempotent response if it created one.
    public static func statements(storing write: VerificationWrite, for request: VerificationRequest? = nil, at now: Date) throws
        -> [StoreStatement]
    {
        guard let verification = write.verification else { return [] }
        let time = StoreValue.integer(now.unixMilliseconds)
        let binding = verification.binding
        let (requester, subject) = (StoreValue.text(binding.requester), StoreValue.text(binding.subject))
        let outboxRequester = StoreValue.text("verification:\(verification.id)")
        var statements: [StoreStatement] = []
        for effect in write.effects {
            switch effect {
            case .save(let saved):
                statements.append(saving(saved, at: now))
            case .recordCodeIssued(let destination):
                statements.append(recordingCodeIssued(requester: requester, subject: subject, destination: destination, at: now))
            case .sendCode:
                statements.append(voidingQueuedCodes(of: outboxRequester, at: now))
                if let sms = write.outbound { statements.append(queueing(sms, requester: outboxRequester, at: now)) }
            case .voidQueuedCode:
                statements.append(voidingQueuedCodes(of: outboxRequester, at: now))
            case .recordFailedAttempt:
                statements.append(recordingFailedAttempt(requester: requester, subject: subject, at: now))
            case .clearFailedAttempts:
                statements.append(clearingFailedAttempts(requester: requester, subject: subject))
            case .recordLockout(let until):
                statements.append(recordingLockout(requester: requester, subject: subject, until: until, at: now))
            case .audit(let event):
                let (phone, policy): (String, String?) =
                    switch verification.destination {
                    case .phone(let phone): (phone.masked, nil)
                    case .policy(let policy): ("", policy.canonical)
                    }
                var detail = "key=\(verification.requester)"
                if case .failed(let attemptsLeft) = event { detail += " attempts_left=\(attemptsLeft)" }
                statements.append(auditing(event.name, phoneMasked: phone, policy: policy, detail: detail, at: time))
            }
        }
        if let request, let idempotency = request.idempotency, write.response.status == 201 {
            statements.append(
                try storingIdempotentResponse(
                    write.response, requester: request.requester, key: idempotency.key, requestDigest: idempotency.requestDigest, at: now))
        }
        return statements
    }

    private static func saving(_ verification: APIVerification, at now: Date) -> StoreStatement {
        StoreStatement(
            """
            INSERT INTO verifications (id, requester, subject, status, code_hash, issued_at, expires_at, attempts_left, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, code_hash = excluded.code_hash, issued_at = excluded.issued_at,
                expires_at = excluded.expires_at, attempts_left = excluded.attempts_left, updated_at = excluded.updated_at
            """,
            [
                .text(verification.id), .text(verification.requester), .text(verification.destination.subject),
                .text(verification.status.rawValue), .text(verification.challenge.codeHash.lowercaseHex),
                .integer(verification.challenge.issuedAt.unixMilliseconds), .integer(verification.challenge.expiresAt.unixMilliseconds),
                .integer(Int64(verification.attemptsLeft)), .integer(verification.createdAt.unixMilliseconds), .integer(now.unixMilliseconds),
            ])
    }
}

extension Data {
    /// Reads lower- or upper-case hex; `nil` for anything else.
    init?(hex: String) {
        let bytes = Array(hex.utf8)
        guard bytes.count.isMultiple(of: 2) else { return nil }
        var data = Data(capacity: bytes.count / 2)
        for index in stride(from: 0, to: bytes.count, by: 2) {
            guard let byte = UInt8(String(decoding: bytes[index...index + 1], as: UTF8.self), radix: 16) else { return nil }
            data.append(byte)
        }
        self = data
    }
}
