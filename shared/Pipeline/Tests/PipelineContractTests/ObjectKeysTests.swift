import PipelineContract
import Testing

@Suite struct ObjectKeysTests {
    @Test(arguments: [
        ("photo.png", "photo.png"),
        ("My Photo (1).png", "MyPhoto1.png"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("фото.png", "image.png"),
        ("日本.PNG", "image.PNG"),
        ("фото", "image.png"),
        ("", "image.png"),
        ("....", "image.png"),
        ("/", "image.png"),
        ("-rf.png", "rf.png"),
        (".hidden.png", "hidden.png"),
        ("a_b-c.d.png", "a_b-c.d.png"),
    ])
    func sanitizing(_ input: String, _ expected: String) {
        #expect(ObjectKeys.sanitize(filename: input) == expected)
    }

    @Test func aNameThatTruncatesToNothingFallsBack() {
        #expect(ObjectKeys.sanitize(filename: "a" + String(repeating: ".", count: 200)) == "image.png")
    }

    @Test func longNamesKeepTheirEnd() {
        let name = String(repeating: "a", count: 500) + ".png"
        let sanitized = ObjectKeys.sanitize(filename: name)
        #expect(sanitized.count == ObjectKeys.maxFilenameLength)
        #expect(sanitized.hasSuffix(".png"))
    }

    @Test func sanitizedNamesOnlyHoldAllowedCharacters() {
        let samples = ["a b\tc\n.png", "x\u{0}y.png", "<script>.png", "%2e%2e%2f.png", "a/b/../c.png", "🙂.png", "CON.png"]
        for sample in samples {
            let sanitized = ObjectKeys.sanitize(filename: sample)
            #expect(!sanitized.isEmpty)
            #expect(sanitized.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) })
        }
    }

    @Test func keyNaming() {
        let id = ObjectKeys.newImageID()
        #expect(ObjectKeys.isImageID(id))
        #expect(!ObjectKeys.isImageID(id.uppercased()))
        let input = ObjectKeys.inputKey(imageID: id, filename: "cat pic.png")
        #expect(input == "\(id)_catpic.png")
        #expect(ObjectKeys.processedKey(inputKey: input) == "processed_\(id)_catpic.png")
        #expect(ObjectKeys.failureMarkerKey(inputKey: input) == "failed_\(id)_catpic.png.json")
        #expect(ObjectKeys.imageID(fromInputKey: input) == id)
        #expect(ObjectKeys.filename(fromInputKey: input) == "catpic.png")
        #expect(ObjectKeys.imageID(fromInputKey: "notanid_x.png") == nil)
        #expect(ObjectKeys.inputKey(fromProcessedBucketKey: "processed_\(input)") == input)
        #expect(ObjectKeys.inputKey(fromProcessedBucketKey: "failed_\(input).json") == input)
        #expect(ObjectKeys.inputKey(fromProcessedBucketKey: "other") == nil)
    }

    /// The name as uploaded, as the page shows it: letters of any script kept; directories,
    /// control and format characters dropped; never empty.
    @Test(arguments: [
        ("фото café.png", "фото café.png"),
        ("C:\\Users\\me\\写真 1.png", "写真 1.png"),
        ("../../etc/passwd", "passwd"),
        ("  spaced name.png  ", "spaced name.png"),
        ("evil\u{202E}gnp.exe", "evilgnp.exe"),
        ("line\nbreak\u{0}.png", "linebreak.png"),
        ("\u{7}\u{1B}", "image.png"),
        ("", "image.png"),
    ])
    func displayNames(_ uploaded: String, _ shown: String) {
        #expect(ObjectKeys.displayName(uploaded) == shown)
    }

    @Test func aLongDisplayNameKeepsItsEnd() {
        let name = String(repeating: "é", count: 400) + ".png"
        let shown = ObjectKeys.displayName(name)
        #expect(shown.count == ObjectKeys.maxDisplayNameLength && shown.hasSuffix("é.png"))
    }

    @Test func displayNamesTravelInASCIIMetadata() {
        for name in ["фото café.png", "a+b=c&d%e.png", "plain.png", "写真 (1).png"] {
            let value = ObjectKeys.metadataValue(displayName: name)
            #expect(value.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 }, "\(value)")
            #expect(ObjectKeys.displayName(metadataValue: value) == name)
        }
    }
}
