import ArgumentParser
import Re4Core

/// How a data file is read: the options shared by every command of both
/// executables that opens data. Each is nil when not given, so an analysis
/// command can take it from the run's recorded config instead.
public struct DataReadingOptions: ParsableArguments {
    @Option(help: "Seed of the 80/10/10 user split (default 2022, or the run's).") public var splitSeed: UInt64?
    @Option(help: "Iterated k-core filter, 0 = none (default 0, or the run's).") public var kCore: Int?
    @Option(help: "Item numbering: first-seen or popularity (default first-seen, or the run's).") public var itemOrder: ItemOrder?
    @Option(help: "For a generic CSV: user,item,timestamp columns, 1-based numbers or header names.") public var columns: String?
    @Option(help: "For a generic CSV: the field delimiter (\\t for a tab).") public var delimiter: String?

    public init() {}

    public func validate() throws {
        if let k = kCore, k < 0 { throw ValidationError("--k-core must be ≥ 0, got \(k)") }
        if let c = columns, c.split(separator: ",", omittingEmptySubsequences: false).count != 3 {
            throw ValidationError("--columns needs three entries user,item,timestamp, got '\(c)'")
        }
        if let c = columns, Set(c.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }).count != 3 {
            throw ValidationError("--columns '\(c)' names one column twice; the user, item and timestamp must be three different columns")
        }
        if let d = delimiter, d.isEmpty { throw ValidationError("--delimiter must not be empty") }
    }

    /// The request with `data` as the data name or path.
    public func request(data: String?) -> DataRequest {
        DataRequest(data: data, splitSeed: splitSeed, kCore: kCore, itemOrder: itemOrder, columns: columns, delimiter: delimiter)
    }

    /// The source for `data`, every option not given at its default.
    public func source(_ data: String) -> DataSource { request(data: data).resolve(over: nil)! }
}

/// `--data` and the reading options. For the analysis commands `--data` may be
/// left out when the checkpoints sit in run folders that record their data.
public struct DataOptions: ParsableArguments {
    @Option(help: "Data set name or path (default: the one the run was trained on).") public var data: String?
    @OptionGroup public var reading: DataReadingOptions
    @Flag(help: "Use checkpoints trained on other data (fingerprint mismatch).") public var allowMismatch = false
    @Option(help: "For a checkpoint without metadata (a PyTorch .pt/.pth state dict or a plain export): the history length L (default 20).")
    public var maxLength: Int?
    @Option(help: "For a PyTorch ComiRec port's MIND, whose tensors do not tell: K, the interests (default 4).")
    public var mindInterests: Int?
    @Flag(help: "For a PyTorch ComiRec port's MIND or ComiRec-DR: apply its relu layer to the interests (the port does for MIND on Amazon Books).")
    public var reluLayer = false

    public init() {}

    public func validate() throws {
        if let l = maxLength, !(1...Limits.maxLength).contains(l) { throw ValidationError("--max-length must be between 1 and \(Limits.maxLength), got \(l)") }
        if let k = mindInterests, !(1...Limits.maxInterests).contains(k) { throw ValidationError("--mind-interests must be between 1 and \(Limits.maxInterests), got \(k)") }
    }

    public var request: DataRequest { reading.request(data: data) }

    /// The settings for files without metadata, from these options over `f`.
    public func fallback(_ f: ModelConfig = ModelConfig()) -> ModelConfig {
        var fallback = f
        if let maxLength { fallback.maxLength = maxLength }
        if let mindInterests { fallback.interests = mindInterests }
        if reluLayer { fallback.portReluLayer = true }
        return fallback
    }

    /// Opens the checkpoints with their data; prints the warnings on stderr.
    public func open(_ checkpoints: [String], fallback f: ModelConfig = ModelConfig()) throws -> RunData {
        let fallback = fallback(f)
        let r = try RunData.open(checkpoints: checkpoints, request: request, allowMismatch: allowMismatch, fallback: fallback)
        for w in r.warnings { printError("warning: " + w) }
        return r
    }
}
