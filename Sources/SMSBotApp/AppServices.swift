import Foundation
import Logging
public import SMSBotCore

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
        if let demo = configuration.demoPoliciesFile {
            let policies = try PolicyFile.read(
                try Data(contentsOf: URL(fileURLWithPath: demo)), name: demo, defaultRegion: configuration.phoneDefaultRegion)
            let added = try await store.insertMissingPolicies(policies, at: environment.now())
            environment.logger.info("demo policies loaded", metadata: ["file": "\(demo)", "added": "\(added)"])
        }
        let templates = try ReplyTemplates(directory: configuration.templatesPath, required: ReplyRenderer.templateNames)
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
        settings.codeLength = otp.length
        settings.codeLifetime = Double(otp.ttlSeconds)
        settings.maxAttempts = otp.maxAttempts
        settings.resendCooldown = Double(otp.resendCooldownSeconds)
        settings.maxCodesPerHour = otp.maxSendsPerHour
        settings.lockoutDuration = Double(otp.lockoutSeconds)
        settings.sessionIdleTimeout = Double(sessionIdleSeconds)
        return settings
    }
}
