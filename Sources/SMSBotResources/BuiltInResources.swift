public import Foundation

/// Files of the checkout compiled into the executable, so a binary copied anywhere runs
/// without them: the SMS templates of `Templates/sms/`, the portal's pages and stylesheet of
/// `Templates/portal/`, the demo policies of `Config/` and the API's OpenAPI document.
///
/// SwiftPM embeds each file as bytes (`.embedInCode` in `Package.swift`); a file named in
/// this table but missing from the folder fails the build, and a test checks the other way round.
public enum BuiltInResources {
    /// The SMS templates, by name (file name without `.mustache`): plain-text Mustache.
    public static let smsTemplates: [String: String] = [
        "ask_policy_number": PackageResources.ask_policy_number_mustache,
        "claims": PackageResources.claims_mustache,
        "code_expired": PackageResources.code_expired_mustache,
        "code_not_delivered": PackageResources.code_not_delivered_mustache,
        "code_reminder": PackageResources.code_reminder_mustache,
        "code_sent": PackageResources.code_sent_mustache,
        "coverage": PackageResources.coverage_mustache,
        "forgot_code_sent": PackageResources.forgot_code_sent_mustache,
        "greeting": PackageResources.greeting_mustache,
        "help": PackageResources.help_mustache,
        "locked": PackageResources.locked_mustache,
        "logged_out": PackageResources.logged_out_mustache,
        "media_not_supported": PackageResources.media_not_supported_mustache,
        "menu": PackageResources.menu_mustache,
        "no_code_pending": PackageResources.no_code_pending_mustache,
        "otp_sms": PackageResources.otp_sms_mustache,
        "phone_changed_notice": PackageResources.phone_changed_notice_mustache,
        "policy_list": PackageResources.policy_list_mustache,
        "premium": PackageResources.premium_mustache,
        "resend_cooldown": PackageResources.resend_cooldown_mustache,
        "session_expired": PackageResources.session_expired_mustache,
        "status": PackageResources.status_mustache,
        "too_many_codes": PackageResources.too_many_codes_mustache,
        "welcome_sms": PackageResources.welcome_sms_mustache,
        "wrong_code": PackageResources.wrong_code_mustache,
    ].mapValues { String(decoding: $0, as: UTF8.self) }

    /// The operator portal's pages, by name: HTML Mustache, every value escaped.
    public static let portalTemplates: [String: String] = [
        "portal_audit": PackageResources.portal_audit_mustache,
        "portal_layout": PackageResources.portal_layout_mustache,
        "portal_login": PackageResources.portal_login_mustache,
        "portal_outbox": PackageResources.portal_outbox_mustache,
        "portal_overview": PackageResources.portal_overview_mustache,
        "portal_policies": PackageResources.portal_policies_mustache,
        "portal_policy": PackageResources.portal_policy_mustache,
        "portal_policy_form": PackageResources.portal_policy_form_mustache,
    ].mapValues { String(decoding: $0, as: UTF8.self) }

    /// The portal's stylesheet, `Templates/portal/portal.css`.
    public static var portalStylesheet: Data { Data(PackageResources.portal_css) }

    /// `Config/demo-policies.json`, the policies `--demo` loads.
    public static var demoPolicies: Data { Data(PackageResources.demo_policies_json) }

    /// The OpenAPI 3.1 document of the `/api/v1` routes (`Sources/SMSBotAPI/openapi.json`, from
    /// which those routes are generated), served at `GET /api/v1/openapi.json`.
    public static var openAPIDocument: Data { Data(PackageResources.openapi_json) }

    /// The name `--demo` reports the demo policies under.
    public static let demoPoliciesName = "built-in Config/demo-policies.json"
}
