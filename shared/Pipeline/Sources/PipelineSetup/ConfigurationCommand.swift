import ArgumentParser
import Foundation
import PipelineSettings

/// Prints, as one JSON object, every variable a service reads and the value it takes in this
/// environment (defaults included, secrets as `(set)`, unset ones as null), or the error that
/// would stop the service. The container checks compare the compose file with it.
struct ConfigurationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "configuration", abstract: "Shows every variable a service reads and the value it would take."
    )

    enum Service: String, ExpressibleByArgument, CaseIterable {
        case uploadAPI = "upload-api"
        case processor
        case notifier
    }

    @Argument(help: "upload-api, processor or notifier")
    var service: Service

    func run() throws {
        let environment = EnvironmentVariables.recordingReads()
        do {
            switch service {
            case .uploadAPI: _ = try UploadAPIConfiguration(environment: environment)
            case .processor: _ = try ProcessorConfiguration(environment: environment)
            case .notifier: _ = try NotifierConfiguration(environment: environment)
            }
        } catch {
            FileHandle.standardError.write(Data("\(service.rawValue): \(error)\n".utf8))
            throw ExitCode(2)
        }
        let values = environment.readValues.mapValues { $0.map { $0 as Any } ?? NSNull() }
        let json = try JSONSerialization.data(withJSONObject: values, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: json, as: UTF8.self))
    }
}
