import Testing
import TwilioKit

@Suite struct FormParametersTests {
    private func decode(_ body: String) throws -> FormParameters {
        try FormParameters(decoding: Array(body.utf8))
    }

    @Test func plusIsASpaceAndPercentEscapesAreUTF8() throws {
        let form = try decode("Body=Ol%C3%A1+mundo%21&From=%2B15551230001")
        #expect(form["Body"] == "Olá mundo!")
        #expect(form["From"] == "+15551230001")
    }

    @Test func anEscapedPlusStaysAPlusAndReservedCharactersSurvive() throws {
        let form = try decode("Body=a%2Bb%3Dc%26d%25e+f")
        #expect(form["Body"] == "a+b=c&d%e f")
    }

    @Test func repeatedKeysAreKeptInArrivalOrder() throws {
        let form = try decode("Tag=b&Other=1&Tag=a&Tag=b")
        #expect(form.values(for: "Tag") == ["b", "a", "b"])
        #expect(form["Tag"] == "b")
        #expect(form.pairs.map(\.name) == ["Tag", "Other", "Tag", "Tag"])
    }

    @Test func emptyValuesMissingEqualsAndEmptyFieldsAreHandled() throws {
        let form = try decode("Body=&Flag&&To=x&=orphan")
        #expect(form["Body"] == "")
        #expect(form["Flag"] == "")
        #expect(form["To"] == "x")
        #expect(form[""] == "orphan")
        #expect(form.pairs.count == 4)
        #expect(try decode("").pairs.isEmpty)
    }

    @Test func aValueMayContainEqualsSigns() throws {
        #expect(try decode("Body=a=b=c")["Body"] == "a=b=c")
    }

    @Test(arguments: ["Body=%", "Body=%4", "Body=%G1", "Body=abc%2", "%ZZ=1"])
    func malformedEscapesAreRejected(body: String) {
        #expect(throws: FormDecodingError.self) { try decode(body) }
    }

    @Test func invalidUTF8IsRejectedNamingThePosition() {
        #expect(throws: FormDecodingError.invalidUTF8(pair: 2)) { try decode("A=1&Body=%FF%FE") }
        #expect(FormDecodingError.invalidUTF8(pair: 2).description == "form field 2 is not valid UTF-8")
    }

    @Test func atMost256NonEmptyFieldsAreDecoded() throws {
        let fields = (0..<256).map { "f\($0)=v" }.joined(separator: "&")
        #expect(try FormParameters(decoding: Array(fields.utf8)).pairs.count == 256)
        #expect(try FormParameters(decoding: Array((fields + "&&&&").utf8)).pairs.count == 256, "empty fields do not count")
        #expect(throws: FormDecodingError.tooManyFields(limit: 256)) { try FormParameters(decoding: Array((fields + "&x").utf8)) }
        #expect(throws: FormDecodingError.tooManyFields(limit: 2)) { try FormParameters(decoding: Array("a&b&c".utf8), maxFields: 2) }
    }

    @Test func fourByteCharactersDecode() throws {
        #expect(try decode("Body=%F0%9F%9A%97")["Body"] == "🚗")
    }
}
