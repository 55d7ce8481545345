import AWSClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

extension S3Client {
    /// The rule this client writes; other rules are not this client's to keep.
    static let expirationRuleID = "expire-after-retention"

    /// Makes every object of the bucket expire `days` after it was written (a lifecycle rule on the
    /// whole bucket); nil removes the bucket's lifecycle configuration, so objects are kept.
    public func setExpiration(bucket: String, days: Int?) async throws {
        guard let days else {
            _ = try await call("DeleteBucketLifecycle", .DELETE, bucket: bucket, query: "lifecycle=")
            return
        }
        let xml = "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ID>\(Self.expirationRuleID)</ID>"
            + "<Filter><Prefix></Prefix></Filter><Status>Enabled</Status><Expiration><Days>\(days)</Days></Expiration></Rule></LifecycleConfiguration>"
        // S3 insists on a checksum of this body; Content-MD5 is the one every S3 and emulator reads.
        let md5 = Data(Insecure.MD5.hash(data: Data(xml.utf8))).base64EncodedString()
        _ = try await call(
            "PutBucketLifecycleConfiguration", .PUT, bucket: bucket, query: "lifecycle=",
            headers: [(name: "Content-Type", value: "application/xml"), (name: "Content-MD5", value: md5)], body: ByteBuffer(string: xml)
        )
    }

    /// The days after which the bucket's objects expire, by an enabled whole-bucket rule; nil when none.
    public func expirationDays(bucket: String) async throws -> Int? {
        do {
            let response = try await call("GetBucketLifecycleConfiguration", .GET, bucket: bucket, query: "lifecycle=")
            let root = try XMLNode.parse(response.body.readableBytesView)
            for rule in root.children("Rule") where rule.childText("Status") == "Enabled" {
                let prefix = rule.child("Filter")?.childText("Prefix") ?? rule.childText("Prefix") ?? ""
                if prefix.isEmpty, let days = rule.child("Expiration")?.childText("Days").flatMap(Int.init) { return days }
            }
            return nil
        } catch AWSError.service(let error) where error.code == "NoSuchLifecycleConfiguration" {
            return nil
        }
    }
}
