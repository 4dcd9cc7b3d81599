public import Foundation
public import SMSBotCore

/// The verification API's verifications and idempotency records (SPEC §8).
public protocol VerificationStore: Sendable {
    /// Creates or renews `request.requester`'s verification of `request.destination`, in one
    /// transaction serialized per key and destination (and per idempotency key) on every instance.
    ///
    /// Reads the ``VerificationFacts``, runs `decide`, then stores the write: the effects, the
    /// SMS queued, and, for a `201` under an idempotency key, the response for retries. A retry
    /// within ``VerificationRequest/idempotencyWindow`` with the same key and request gets that
    /// response back and nothing runs; with another request, ``VerificationRequestOutcome/idempotencyKeyReused``.
    func requestVerification(
        _ request: VerificationRequest, decide: @escaping @Sendable (VerificationFacts) -> VerificationWrite
    ) async throws -> VerificationRequestOutcome

    /// The verification `id` if the key `requester` created it.
    func verification(id: String, requester: String) async throws -> APIVerification?

    /// Changes the verification `id` of `requester` (a check, a cancel) in one transaction that
    /// holds it: `decide` gets it (or `nil`) and its binding's failures and lockouts of the
    /// last 24 hours; its write is stored and its response returned.
    func updateVerification(
        id: String, requester: String, at now: Date,
        decide: @escaping @Sendable (APIVerification?, BindingHistory) -> VerificationWrite
    ) async throws -> StoredResponse
}

/// A request for a verification.
public struct VerificationRequest: Sendable {
    /// The access key's name.
    public var requester: String
    public var destination: APIVerification.Destination
    /// The `Idempotency-Key` header and a digest of what was asked, when the caller sent one.
    public var idempotency: (key: String, requestDigest: String)?
    public var now: Date

    /// Creates a request.
    public init(requester: String, destination: APIVerification.Destination, idempotency: (key: String, requestDigest: String)?, now: Date) {
        self.requester = requester
        self.destination = destination
        self.idempotency = idempotency
        self.now = now
    }

    /// How long a response is returned again for its `Idempotency-Key`.
    public static let idempotencyWindow: TimeInterval = 24 * 3600
}

/// What to store for a request about a verification, and what to answer.
public struct VerificationWrite: Sendable {
    /// The verification answered, whose binding and id the effects are for; `nil` for a refusal.
    public var verification: APIVerification?
    public var effects: [VerificationEffect]
    /// The OTP SMS rendered, when the effects send a code.
    public var outbound: OutboundSMS?
    public var response: StoredResponse

    /// Creates a write.
    public init(verification: APIVerification?, effects: [VerificationEffect], outbound: OutboundSMS?, response: StoredResponse) {
        self.verification = verification
        self.effects = effects
        self.outbound = outbound
        self.response = response
    }
}

/// An HTTP answer as stored for idempotent retries.
public struct StoredResponse: Codable, Equatable, Sendable {
    public var status: Int
    /// The JSON body; empty for none.
    public var body: String
    /// `Retry-After`, in seconds.
    public var retryAfter: Int?

    /// Creates a response.
    public init(status: Int, body: String, retryAfter: Int? = nil) {
        self.status = status
        self.body = body
        self.retryAfter = retryAfter
    }
}

/// What became of a request for a verification.
public enum VerificationRequestOutcome: Equatable, Sendable {
    case decided(StoredResponse)
    /// A retry: the first response, and nothing sent.
    case replayed(StoredResponse)
    /// The idempotency key was used for another request in the window.
    case idempotencyKeyReused
}

/// A binding's wrong codes since its last success or lockout, and its recent lockouts.
public struct BindingHistory: Equatable, Sendable {
    public var failedAttempts: Int
    /// When the binding's lockouts of the last 24 hours started.
    public var lockoutsStarted: [Date]

    /// Creates a history.
    public init(failedAttempts: Int = 0, lockoutsStarted: [Date] = []) {
        self.failedAttempts = failedAttempts
        self.lockoutsStarted = lockoutsStarted
    }
}
