import Hummingbird
import TwilioKit

/// The benchmark's baseline: a bare Hummingbird app that decodes the same urlencoded body as
/// smsbot's webhook and answers constant TwiML. It shows what the HTTP stack alone costs.
@main
struct Baseline {
    static func main() async throws {
        let port = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 8081
        let twiml = TwiMLResponse(messages: ["Hi, this is Acme Insurance. To check your policy, reply with your policy number."]).xml
        let router = Router()
        router.post("/twilio/sms") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let form = try FormParameters(decoding: body.readableBytesView)
            guard form["MessageSid"] != nil, form["From"] != nil else { return Response(status: .badRequest) }
            return Response(
                status: .ok, headers: [.contentType: TwiMLResponse.contentType], body: .init(byteBuffer: ByteBuffer(string: twiml)))
        }
        router.get("/healthz") { _, _ in "ok" }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}
