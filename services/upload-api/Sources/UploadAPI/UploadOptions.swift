import Foundation
import Hummingbird
import PipelineContract

/// The processing options of an upload.
enum UploadOptions {
    /// `threshold` (0–255) and `method` (`fixed` or `otsu`), from the form or the query. Each may
    /// come in either place; given in both, both are checked and must agree (one upload, one set
    /// of options: never a value silently ignored).
    static func parse(query: Parameters, fields: [String: String]) throws(UploadRefusal) -> ProcessingOptions? {
        func value(_ name: String) throws(UploadRefusal) -> String? {
            func clean(_ text: String?) -> String? {
                text.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            }
            let fromForm = clean(fields[name])
            let fromQuery = clean(query[Substring(name)].map(String.init))
            if let fromForm, let fromQuery, fromForm.lowercased() != fromQuery.lowercased() {
                throw .invalidOption("\(name) is \"\(fromForm)\" in the form but \"\(fromQuery)\" in the query; give it once.")
            }
            return fromForm ?? fromQuery
        }
        let methodText = try value("method")
        let thresholdText = try value("threshold")
        guard methodText != nil || thresholdText != nil else { return nil }
        guard let method = ProcessingOptions.Method(rawValue: (methodText ?? "fixed").lowercased()) else {
            throw .invalidOption("method must be fixed or otsu, not \"\(methodText ?? "")\".")
        }
        var threshold: Int?
        if let thresholdText {
            guard let number = Int(thresholdText), (0...255).contains(number) else {
                throw .invalidOption("threshold must be a whole number from 0 to 255, not \"\(thresholdText)\".")
            }
            guard method == .fixed else { throw .invalidOption("threshold cannot be combined with method=otsu.") }
            threshold = number
        }
        return ProcessingOptions(method: method, threshold: threshold)
    }
}
