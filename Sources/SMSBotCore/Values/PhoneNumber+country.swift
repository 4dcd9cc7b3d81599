extension PhoneNumber {
    /// The ISO 3166 country the number belongs to, or `nil` when its calling code is not one
    /// smsbot knows (those of ``callingCodes``): what `api.allowedCountries` is checked against.
    ///
    /// North American numbers (+1) share one calling code among two dozen countries: the area
    /// code tells Canada and the Caribbean (where SMS pumping often lands) from the United States.
    public var country: String? {
        let digits = e164.dropFirst()
        if digits.hasPrefix("1") {
            let areaCode = String(digits.dropFirst().prefix(3))
            if Self.canadianAreaCodes.contains(areaCode) { return "CA" }
            return Self.otherNorthAmericanAreaCodes[areaCode] ?? "US"
        }
        // Calling codes are a prefix code: at most one of them starts the number.
        return Self.countriesByCallingCode.first { digits.hasPrefix($0.key) }?.value
    }

    /// Whether `code` is a country ``country`` can return.
    public static func isKnownCountry(_ code: String) -> Bool {
        callingCodes[code] != nil || Set(otherNorthAmericanAreaCodes.values).contains(code)
    }

    private static let countriesByCallingCode: [String: String] = Dictionary(
        callingCodes.filter { $0.value != "1" }.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })

    /// Area codes of Canada (NANPA).
    private static let canadianAreaCodes: Set<String> = [
        "204", "226", "236", "249", "250", "257", "263", "289", "306", "343", "354", "365", "367", "368", "382", "387", "403",
        "416", "418", "428", "431", "437", "438", "450", "460", "468", "474", "506", "514", "519", "548", "579", "581", "584",
        "587", "600", "604", "613", "622", "639", "647", "672", "683", "705", "709", "742", "753", "778", "780", "782", "807",
        "819", "825", "867", "873", "879", "902", "905", "942",
    ]

    /// Area codes of the other countries and territories of the North American plan (NANPA).
    private static let otherNorthAmericanAreaCodes: [String: String] = [
        "242": "BS", "246": "BB", "264": "AI", "268": "AG", "284": "VG", "340": "VI", "345": "KY", "441": "BM", "473": "GD",
        "649": "TC", "658": "JM", "664": "MS", "670": "MP", "671": "GU", "684": "AS", "721": "SX", "758": "LC", "767": "DM",
        "784": "VC", "787": "PR", "809": "DO", "829": "DO", "849": "DO", "868": "TT", "869": "KN", "876": "JM", "939": "PR",
    ]
}
