import PipelineSettings
import Testing

@Suite struct EnvironmentVariablesTests {
    @Test func anEmptyOrBlankValueCountsAsUnset() throws {
        let environment = EnvironmentVariables(["A": "", "B": "  ", "C": " 7 "])
        #expect(environment["A"] == nil)
        #expect(environment.string("B", default: "d") == "d")
        #expect(try environment.int("C", default: 1) == 7)
    }

    @Test func typedReadsRefuseWithTheVariableAndTheValue() {
        let environment = EnvironmentVariables(["N": "ten", "R": "11", "B": "maybe", "C": "Purple", "U": "ftp://x"])
        #expect(throws: ConfigurationError(variable: "N", reason: "must be a whole number, not \"ten\"")) { try environment.int("N", default: 1) }
        #expect(throws: ConfigurationError(variable: "R", reason: "must be between 1 and 10, not 11")) {
            try environment.int("R", default: 1, range: 1...10)
        }
        #expect(throws: ConfigurationError(variable: "B", reason: "must be true or false, not \"maybe\"")) { try environment.bool("B", default: true) }
        #expect(throws: ConfigurationError(variable: "C", reason: "must be one of red, blue, not \"purple\"")) {
            try environment.choice("C", default: "red", among: ["red", "blue"])
        }
        #expect(throws: ConfigurationError(variable: "U", reason: "must be an http:// or https:// URL, not \"ftp://x\"")) { try environment.url("U") }
        #expect(throws: ConfigurationError(variable: "X", reason: "is required but not set")) { try environment.required("X") }
    }

    /// What `pipeline-setup configuration` prints: each variable read, with the value it took.
    @Test func aRecordingReaderNotesEveryReadWithDefaultsAndHidesSecrets() throws {
        let environment = EnvironmentVariables.recordingReads(["HTTP_PORT": "9000", "AWS_SECRET_ACCESS_KEY": "hunter2", "UNREAD": "x"])
        _ = try environment.int("HTTP_PORT", default: 8080)
        _ = try environment.int("MAX_PIXELS", default: 100)
        _ = try environment.required("AWS_SECRET_ACCESS_KEY")
        _ = environment["AWS_SESSION_TOKEN"]
        let copy = environment  // copies share what they note
        _ = try copy.bool("FLAG", default: false)
        let expected: [String: String?] = [
            "HTTP_PORT": "9000", "MAX_PIXELS": "100", "AWS_SECRET_ACCESS_KEY": "(set)", "AWS_SESSION_TOKEN": .none, "FLAG": "false",
        ]
        #expect(environment.readValues == expected)
        #expect(EnvironmentVariables(["A": "1"]).readValues.isEmpty)
    }
}
