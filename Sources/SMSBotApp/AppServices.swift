import Foundation
import Logging
import SMSBotCore
import SMSBotResources
public import SMSBotStorage

/// The parts of smsbot that do not depend on HTTP: the store, the conversation service and
/// the outbox worker. `serve` puts a web server in front of them; `simulate` a terminal.
public struct AppServices: Sendable {
    public let store: any SMSBotStore
    public let conversations: ConversationService
    public let outbox: OutboxWorker
    public let metrics: AppMetrics
    /// The `/api/v1` handlers: the verification API (SPEC §8) and the operator API (§9).
    let api: APIHandler
    /// The operator portal's pages (SPEC §10).
    let portalPages: PortalPages
    /// Migrates the store and loads the demo policies when asked, once.
    let preparation: StorePreparation

    /// Opens the store and the templates and keys `configuration` names; fails with a message
    /// naming the key or file at fault. The store is used only once ``prepare()`` returned.
    public init(_ configuration: AppConfiguration, environment: AppEnvironment) throws {
        let store = try openStore(configuration.database, logger: environment.logger)
        let templates = try ReplyTemplates(overrides: configuration.templatesPath, required: ReplyRenderer.templateNames)
        self.portalPages = PortalPages(
            templates: try ReplyTemplates(
                builtIn: BuiltInResources.portalTemplates, overrides: configuration.templatesPath, required: PortalPages.templateNames,
                escapingHTML: true),
            businessName: configuration.businessName)
        let settings = configuration.engineSettings
        let hasher = CodeHasher(key: try SecretsKey.load(configuration))
        let engine = ConversationEngine(settings: settings, hasher: hasher)
        let renderer = ReplyRenderer(
            templates: templates, businessName: configuration.businessName, helpContact: configuration.helpContact,
            settings: settings)
        let sender: any SMSSender =
            try environment.smsSender
            ?? (configuration.sender == .twilio ? TwilioSender(configuration: configuration, now: environment.now) : ConsoleSender())
        let metrics = AppMetrics()
        let outbox = OutboxWorker(
            store: store, sender: sender, sendTimeout: TimeInterval(configuration.twilio.timeoutSeconds), metrics: metrics,
            now: environment.now, logger: environment.logger)
        self.store = store
        self.outbox = outbox
        self.metrics = metrics
        self.api = APIHandler(
            verifications: VerificationAPI(
                store: store,
                rules: APIVerificationRules(
                    rules: VerificationRules(settings: settings.verification, hasher: hasher),
                    allowedCountries: configuration.api.allowedCountries, maxCodesPerHour: configuration.api.maxSendsPerHour),
                renderer: renderer, outbox: outbox, metrics: metrics, now: environment.now),
            operators: OperatorAPI(
                store: store, renderer: renderer, outbox: outbox, defaultRegion: configuration.phoneDefaultRegion,
                sessionIdleTimeout: settings.sessionIdleTimeout, now: environment.now))
        self.conversations = ConversationService(store: store, engine: engine, renderer: renderer, outbox: outbox, metrics: metrics)
        self.preparation = StorePreparation {
            try await store.migrate()
            guard configuration.loadsDemoPolicies else { return }
            let policies = try PolicyFile.read(
                BuiltInResources.demoPolicies, name: BuiltInResources.demoPoliciesName, defaultRegion: configuration.phoneDefaultRegion)
            let added = try await store.insertMissingPolicies(policies, at: environment.now())
            environment.logger.info("demo policies loaded", metadata: ["added": "\(added)"])
        }
    }

    /// Migrates the store and loads the demo policies when configured to; runs once, however
    /// often it is called. Needs the store's services running.
    public func prepare() async throws {
        try await preparation.ready()
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
        settings.verification.maxSubjectsPerDay = otp.maxPoliciesPerDay
        settings.verification.lockoutDuration = Double(otp.lockoutSeconds)
        settings.sessionIdleTimeout = Double(sessionIdleSeconds)
        return settings
    }
}
