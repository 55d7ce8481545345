import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import PipelineContract
import PipelineService
import PipelineTestSupport
import Testing

@testable import Notifier

/// Signed in at the load balancer: each owner reads only their own images through every route
/// and the event stream, another owner's id is 404 as an unknown one, an administrator sees all,
/// and nothing under /api answers without a valid identity.
@Suite struct NotifierOwnerTests {
    let loadBalancer = TestLoadBalancer()
    let ann = "cccccccc-0000-4000-8000-00000000000a"
    let bob = "cccccccc-0000-4000-8000-00000000000b"

    func harness() async throws -> NotifierHarness {
        let harness = try NotifierHarness(heartbeat: .milliseconds(200), authenticator: loadBalancer.authenticator())
        try await harness.upload(ann, "ann.png", owner: "ann")
        try await harness.process(ann, "ann.png", bytes: [1], owner: "ann")
        try await harness.upload(bob, "bob.png", owner: "bob")
        try await harness.process(bob, "bob.png", bytes: [2], owner: "bob")
        return harness
    }

    func headers(_ owner: String, groups: [String] = []) async throws -> HTTPFields {
        [.amznOIDCData: try await loadBalancer.header(owner: owner, groups: groups)]
    }

    @Test func eachOwnerSeesOnlyTheirOwnThroughEveryRoute() async throws {
        let harness = try await harness()
        let asAnn = try await headers("ann")
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/images", method: .get, headers: asAnn) { response in
                let images = try jsonObject(response.body)["images"] as? [[String: Any]]
                #expect(images?.compactMap { $0["image_id"] as? String } == [ann])
            }
            for route in ["", "/original", "/processed", "/download"] {
                try await client.execute(uri: "/api/images/\(ann)\(route)", method: .get, headers: asAnn) { response in
                    #expect(response.status == .ok, "her own \(route)")
                }
                try await client.execute(uri: "/api/images/\(bob)\(route)", method: .get, headers: asAnn) { response in
                    #expect(response.status == .notFound, "bob's \(route)")
                    #expect(!String(buffer: response.body).contains("bob"))
                }
            }
            try await client.execute(uri: "/api/results.zip", method: .get, headers: asAnn) { response in
                let entries = try ZipReader.entries(Array(response.body.readableBytesView))
                #expect(entries.map(\.name) == ["ann-bw.png"])
            }
            try await client.execute(uri: "/api/me", method: .get, headers: asAnn) { response in
                let me = try jsonObject(response.body)
                #expect(me["owner"] as? String == "ann" && me["admin"] as? Bool == false)
                #expect(me["signed_in_via"] as? String == "alb" && me["sign_out_url"] as? String == "/api/signout")
            }
            try await client.execute(uri: "/api/pipeline", method: .get, headers: asAnn) { response in
                let body = try jsonObject(response.body)
                #expect((body["dead_letter"] as? [Any])?.isEmpty == true, "dead letters are everyone's: admins only")
            }
        }
    }

    @Test func anAdministratorSeesEveryone() async throws {
        let harness = try await harness()
        let asAdmin = try await headers("root", groups: ["admins"])
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/images", method: .get, headers: asAdmin) { response in
                let images = try jsonObject(response.body)["images"] as? [[String: Any]]
                #expect(Set(images?.compactMap { $0["image_id"] as? String } ?? []) == [ann, bob])
            }
            try await client.execute(uri: "/api/images/\(bob)/original", method: .get, headers: asAdmin) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/pipeline", method: .get, headers: asAdmin) { response in
                let body = try jsonObject(response.body)
                #expect((body["dead_letter"] as? [Any])?.count == 1)
            }
        }
    }

    @Test func theEventStreamCarriesOnlyTheCallersChanges() async throws {
        let harness = try await harness()
        let asAnn = try await loadBalancer.header(owner: "ann")
        let asAdmin = try await loadBalancer.header(owner: "root", groups: ["admins"])
        try await harness.application.test(.live) { client in
            let port = try #require(client.port)
            let annStream = try await SSEReader.connect(port: port, headers: [("x-amzn-oidc-data", asAnn)])
            let adminStream = try await SSEReader.connect(port: port, headers: [("x-amzn-oidc-data", asAdmin)])
            let later = ["cccccccc-0000-4000-8000-0000000000b2", "cccccccc-0000-4000-8000-0000000000a2"]
            try await harness.upload(later[0], "bob2.png", owner: "bob")
            try await harness.upload(later[1], "ann2.png", owner: "ann")
            harness.table.expire(bob)
            let annSaw = try await annStream.read(until: { $0.contains(later[1]) })
            #expect(!annSaw.contains(later[0]) && !annSaw.contains(bob), "nothing of bob's, not even his expiry")
            let adminSaw = try await adminStream.read(until: { $0.contains(later[0]) && $0.contains(later[1]) && $0.contains(bob) })
            #expect(adminSaw.contains("event: removed"))
            await annStream.close()
            await adminStream.close()
        }
    }

    @Test func noValidIdentityNoAPIButThePageAndHealth() async throws {
        let harness = try await harness()
        let forged = try await loadBalancer.header(owner: "ann", signedBy: ES256PrivateKey())
        try await harness.application.test(.router) { client in
            for uri in ["/api/images", "/api/images/\(ann)", "/api/images/\(ann)/original", "/api/results.zip", "/api/events", "/api/me", "/api/pipeline"] {
                for value in [nil, forged] {
                    let headers: HTTPFields = value.map { [.amznOIDCData: $0] } ?? [:]
                    try await client.execute(uri: uri, method: .get, headers: headers) { response in
                        let body = try jsonObject(response.body)
                        #expect(response.status == .unauthorized, "\(uri)")
                        #expect(body["error"] as? String == "unauthorized")
                    }
                }
            }
            for uri in ["/", "/healthz"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok, "\(uri)")
                }
            }
        }
    }

    @Test func signOutExpiresTheLoadBalancersSession() async throws {
        let harness = try await harness()
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/signout", method: .get, headers: try await headers("ann")) { response in
                #expect(response.status == .found)
                let cookies = response.headers[values: .setCookie]
                #expect(cookies.count == 4 && cookies.allSatisfy { $0.contains("Max-Age=0") })
                #expect(cookies.first?.hasPrefix("AWSELBAuthSessionCookie-0=") == true)
            }
        }
    }
}
