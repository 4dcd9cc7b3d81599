import Foundation
import Logging
import SMSBotResources
import SMSBotCore

/// The parts of smsbot that do not depend on HTTP: the store, the conversation service and
/// the outbox worker. `serve` puts a web server in front of them; `simulate` a terminal.
public struct AppServices: Sendable {
    public let store: any SMSBotStore
    public let conversations: ConversationService
    public let outbox: OutboxWorker
    public let metrics: AppMetrics

    /// Opens the store (loading the demo policies when asked) and the templates and keys
    /// `configuration` names; fails with a message naming the key or file at fault.
    public init(_ configuration: AppConfiguration, environment: AppEnvironment) async throws {
        let store = try await openStore(configuration.database, logger: environment.logger)
        if configuration.loadsDemoPolicies {
            let policies = try PolicyFile.read(
                BuiltInResources.demoPolicies, name: BuiltInResources.demoPoliciesName, defaultRegion: configuration.phoneDefaultRegion)
            let added = try await store.insertMissingPolicies(policies, at: environment.now())
            environment.logger.info("demo policies loaded", metadata: ["added": "\(added)"])
        }
        let templates = try ReplyTemplates(overrides: configuration.templatesPath, required: ReplyRenderer.templateNames)
        let settings = configuration.engineSettings
        let engine = ConversationEngine(settings: settings, hasher: CodeHasher(key: try SecretsKey.load(configuration)))
        let renderer = ReplyRenderer(
            templates: templates, businessName: configuration.businessName, helpContact: configuration.helpContact,
            settings: settings)
        let sender: any SMSSender =
            try environment.smsSender
            ?? (configuration.sender == .twilio ? TwilioSender(configuration: configuration, now: environment.now) : ConsoleSender())
        let metrics = AppMetrics()
        let outbox = OutboxWorker(store: store, sender: sender, metrics: metrics, now: environment.now, logger: environment.logger)
        self.store = store
        self.outbox = outbox
        self.metrics = metrics
        self.conversations = ConversationService(store: store, engine: engine, renderer: renderer, outbox: outbox, metrics: metrics)
    }
}

extension AppConfiguration {
    /// The engine's rules, from `otp.*` and `session.*`.
    var engineSettings: EngineSettings {
        var settings = EngineSettings()
        settings.verification.codeLength = otp.length
        settings.verification.codeLifetime = Double(otp.ttlSeconds)
        settings.verification.maxAttempts = otp.maxAttempts
        settings.verification.resendCooldown = Double(otp.resendCooldownSeconds)
        settings.verification.maxCodesPerHour = otp.maxSendsPerHour
        settings.verification.lockoutDuration = Double(otp.lockoutSeconds)
        settings.sessionIdleTimeout = Double(sessionIdleSeconds)
        return settings
    }
}
