import AWSClient
import NIOHTTP1
import Testing

@Suite struct XMLNodeTests {
    @Test func parsesAListing() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>
              <!-- a comment -->
              <Contents><Key>a&amp;b &lt;c&gt; &#233;&#x41;</Key><Size>12</Size></Contents>
              <Contents><Key><![CDATA[x<y]]></Key><Size>3</Size></Contents>
              <IsTruncated>false</IsTruncated><Empty/>
            </ListBucketResult>
            """
        let root = try XMLNode.parse(Array(text.utf8))
        #expect(root.name == "ListBucketResult")
        #expect(root.attributes["xmlns"] == "http://s3.amazonaws.com/doc/2006-03-01/")
        #expect(root.children("Contents").map { $0.childText("Key") } == ["a&b <c> éA", "x<y"])
        #expect(root.child("Empty")?.text == "")
        #expect(root.childText("IsTruncated") == "false")
    }

    @Test func stripsNamespacePrefixes() throws {
        let root = try XMLNode.parse(Array("<s:Error xmlns:s='x'><s:Code>Foo</s:Code></s:Error>".utf8))
        #expect(root.name == "Error")
        #expect(root.childText("Code") == "Foo")
    }

    @Test(arguments: ["", "<a>", "<a></b>", "<a x=1></a>", "text", "<a></a><b></b>"])
    func refusesMalformedDocuments(_ text: String) {
        #expect(throws: XMLParseError.self) { try XMLNode.parse(Array(text.utf8)) }
    }
}
