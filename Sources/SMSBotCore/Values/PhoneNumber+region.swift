extension PhoneNumber {
    /// Country calling codes of the regions a national number may be read in (`phone.defaultRegion`).
    public static let callingCodes: [String: String] = [
        "US": "1", "CA": "1", "GB": "44", "IE": "353", "AU": "61", "NZ": "64", "DE": "49", "FR": "33", "ES": "34",
        "IT": "39", "NL": "31", "BE": "32", "CH": "41", "AT": "43", "SE": "46", "NO": "47", "DK": "45", "FI": "358",
        "PT": "351", "MX": "52", "BR": "55", "IN": "91", "ZA": "27", "SG": "65", "JP": "81",
    ]

    /// Reads a number as people write it in data: E.164 (`+15551230001`), international with
    /// `00`, or national in `region` (`(555) 123-0001` in `US`, `07700 900123` in `GB`).
    /// Spaces, dots, hyphens and parentheses are ignored. `nil` when it cannot be a number.
    public init?(parsing text: String, defaultRegion region: String) {
        var digits = ""
        var international = false
        for (index, character) in text.trimming(\.isWhitespace).enumerated() {
            switch character {
            case "+" where index == 0: international = true
            case " ", ".", "-", "(", ")": continue
            case "0"..."9": digits.append(character)
            default: return nil
            }
        }
        if !international, digits.hasPrefix("00") {
            digits.removeFirst(2)
            international = true
        }
        if international {
            self.init(e164: "+" + digits)
            return
        }
        guard let code = Self.callingCodes[region] else { return nil }
        if code == "1" {
            // North American numbering: ten digits, optionally after the trunk prefix 1.
            if digits.count == 11, digits.hasPrefix("1") { digits.removeFirst() }
            guard digits.count == 10 else { return nil }
        } else if region != "IT", digits.hasPrefix("0") {
            digits.removeFirst()
        }
        self.init(e164: "+" + code + digits)
    }
}
