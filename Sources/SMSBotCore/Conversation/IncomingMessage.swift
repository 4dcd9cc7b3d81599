public import Foundation

/// An inbound SMS as the engine sees it.
public struct IncomingMessage: Equatable, Sendable {
    public var from: PhoneNumber
    public var text: String {
        didSet { mentionedPolicies = PolicyNumber.candidates(in: text) }
    }
    /// The policy numbers `text` may mention, most likely first: found once, used by the
    /// store to load them and by the engine to choose one.
    public private(set) var mentionedPolicies: [PolicyNumber]
    public var mediaCount: Int

    /// The subjects whose facts the store loads for this message: the policy numbers it may
    /// mention, and for `FORGOT` the texting number itself.
    public var subjects: [CodeSubject] {
        mentionedPolicies.map(CodeSubject.policy) + (Keyword(text) == .forgot ? [.phoneOnFile(from)] : [])
    }
    public var receivedAt: Date

    /// Creates a message.
    public init(from: PhoneNumber, text: String, mediaCount: Int = 0, receivedAt: Date) {
        self.from = from
        self.text = text
        self.mentionedPolicies = PolicyNumber.candidates(in: text)
        self.mediaCount = mediaCount
        self.receivedAt = receivedAt
    }
}

/// What handling one message decided: the state to save, the replies, the effects to apply.
public struct Transition: Equatable, Sendable {
    public var state: ConversationState
    public var replies: [Reply]
    public var effects: [Effect]

    /// Creates a transition.
    public init(state: ConversationState, replies: [Reply] = [], effects: [Effect] = []) {
        self.state = state
        self.replies = replies
        self.effects = effects
    }
}
