import Foundation
import Testing

@testable import AWSSigV4

/// S3 signs the path as sent: one encoding, no normalization.
@Suite struct SigV4S3ModeTests {
    let credentials = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    let date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z

    /// The GET Object example of the S3 documentation ("Signature Calculations for the Authorization Header").
    @Test func documentedGetObjectExample() {
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "s3", uriMode: .s3)
        var request = SigV4Request(method: "GET", path: "/test.txt", headers: [
            (name: "Host", value: "examplebucket.s3.amazonaws.com"),
            (name: "Range", value: "bytes=0-9"),
        ])
        let signature = signer.signHeaders(&request, payloadHash: SigV4Signer.emptyPayloadHash, date: date, addContentSHA256Header: true)
        #expect(signature.signedHeaders == "host;range;x-amz-content-sha256;x-amz-date")
        #expect(signature.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func s3ModeKeepsTheWirePath() {
        let s3 = SigV4Signer(credentials: credentials, region: "us-east-1", service: "s3", uriMode: .s3)
        let standard = SigV4Signer(credentials: credentials, region: "us-east-1", service: "s3", uriMode: .standard(normalize: true))
        let request = SigV4Request(method: "GET", path: "/bucket/a/./b//my%20key", headers: [(name: "Host", value: "localhost")])
        var first = request
        var second = request
        let s3Signature = s3.signHeaders(&first, date: date)
        let standardSignature = standard.signHeaders(&second, date: date)
        #expect(s3Signature.canonicalRequest.split(separator: "\n")[1] == "/bucket/a/./b//my%20key")
        #expect(standardSignature.canonicalRequest.split(separator: "\n")[1] == "/bucket/a/b/my%2520key")
    }

    @Test func signingTwiceReplacesTheOldSignature() {
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "sqs")
        var request = SigV4Request(method: "POST", path: "/", headers: [(name: "Host", value: "localhost")])
        signer.signHeaders(&request, date: date)
        signer.signHeaders(&request, date: date.addingTimeInterval(60))
        #expect(request.headers.filter { $0.name == "Authorization" }.count == 1)
        #expect(request.headers.filter { $0.name == "X-Amz-Date" }.map(\.value) == ["20130524T000100Z"])
    }

    @Test func timestampFormatting() {
        #expect(SigV4Timestamp(Date(timeIntervalSince1970: 1_440_938_160)).dateTime == "20150830T123600Z")
        #expect(SigV4Timestamp(Date(timeIntervalSince1970: 951_782_400)).date == "20000229")
        #expect(SigV4Timestamp(Date(timeIntervalSince1970: 0)).dateTime == "19700101T000000Z")
    }

    @Test func credentialsNeverPrintTheSecret() {
        #expect(!"\(AWSCredentials(accessKeyID: "A", secretAccessKey: "very-secret", sessionToken: "tok"))".contains("very-secret"))
    }
}
