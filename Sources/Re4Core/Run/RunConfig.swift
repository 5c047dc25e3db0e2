import Foundation

/// A run's `config.json`: every setting that determines the model's math and
/// its data, with typed values, plus one entry per training session for the
/// settings that may change between sessions (epochs, patience, threads).
/// `--resume` compares a new command line with it (`RunConfig.changes`), and
/// the analysis commands reopen the run's data from `data` (docs/run-folder.md).
public struct RunConfig: Codable, Sendable, Equatable {
    public static let currentFormat = "re4-run-config-v2"

    public var format = RunConfig.currentFormat
    public var model: ModelConfig
    public var training: TrainingSettings
    public var data: DataSource
    public var dataset: DatasetIdentity
    /// How the best epoch is chosen (`BestEpoch.rule`).
    public var selection = BestEpoch.rule
    /// One entry per `re4 train` invocation that trained epochs, in order.
    public var sessions: [Session] = []
    /// True for a config read from the version-1 format (all values strings,
    /// reading options not recorded): those fields hold the defaults.
    public var legacy = false

    public init(model: ModelConfig, training: TrainingSettings, data: DataSource, dataset: DatasetIdentity) {
        self.model = model; self.training = training; self.data = data; self.dataset = dataset
    }

    /// Settings that change the optimisation's arithmetic (not the model's shapes).
    public struct TrainingSettings: Codable, Sendable, Equatable {
        public var negatives: NegativeSampling = .init()
        public var learningRate: Float = 0.003
        public var weightDecay: Float = 1e-6
        public var batchSize = 1024
        public var sampling: ExampleSampling = .epoch
        public var seed: UInt64 = 2022
        public var samplesPerEpoch: Int? = nil
        public var lazyAdam = false
        /// The item embedding's initial standard deviation when not the script's 1 (absent = 1).
        public var embeddingStd: Float? = nil
        public init() {}
        enum CodingKeys: String, CodingKey {
            case negatives, learningRate = "lr", weightDecay = "weight_decay", batchSize = "batch_size", sampling, seed
            case samplesPerEpoch = "samples_per_epoch", lazyAdam = "lazy_adam", embeddingStd = "embedding_std"
        }
    }

    /// The negative sampler and its count, as the command line names them.
    public struct NegativeSampling: Codable, Sendable, Equatable {
        /// `uniform`, `log-uniform` or `full`.
        public var sampler = "uniform"
        /// Negatives per batch (nil with `full`).
        public var count: Int? = SampledSoftmax.defaultNegatives
        public init() {}
        public init(_ mode: SampledSoftmax.Mode) {
            switch mode {
            case .uniform(let n): sampler = "uniform"; count = n
            case .logUniform(let n): sampler = "log-uniform"; count = n
            case .full: sampler = "full"; count = nil
            }
        }
        /// The command-line spelling: `5000`, `log-uniform 5000` or `full`.
        public var description: String { sampler == "full" ? "full" : (sampler == "uniform" ? "" : sampler + " ") + "\(count ?? 0)" }
    }

    /// The data set a run saw: its name and fingerprint with the fingerprint's
    /// parts, so a mismatch can say whether the items, the interactions or the
    /// split differ.
    public struct DatasetIdentity: Codable, Sendable, Equatable {
        public var name: String
        public var fingerprint: String
        public var parts: Dataset.FingerprintParts?
        public var users: Int?
        public var items: Int?
        public var interactions: Int?
        public init(_ ds: Dataset) {
            name = ds.name; fingerprint = ds.fingerprint; parts = ds.fingerprintParts
            users = ds.userCount; items = ds.itemCount; interactions = ds.interactionCount
        }
        public init(name: String, fingerprint: String) { self.name = name; self.fingerprint = fingerprint }
    }

    /// Settings of one training invocation that do not alter the math.
    public struct Session: Codable, Sendable, Equatable {
        public var firstEpoch: Int
        public var epochs: Int
        public var patience: Int?
        public var threads: Int
        public var keepEveryEpoch: Bool
        public var toolkit: String
        public var commit: String?
        public init(firstEpoch: Int, epochs: Int, patience: Int?, threads: Int, keepEveryEpoch: Bool) {
            self.firstEpoch = firstEpoch; self.epochs = epochs; self.patience = patience
            self.threads = threads; self.keepEveryEpoch = keepEveryEpoch
            toolkit = Toolkit.version; commit = Toolkit.commit
        }
        enum CodingKeys: String, CodingKey {
            case firstEpoch = "first_epoch", epochs, patience, threads, keepEveryEpoch = "keep_every_epoch", toolkit, commit
        }
    }

    /// Pretty-printed JSON with sorted keys (same config → same bytes).
    public func json() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try enc.encode(self) + Data("\n".utf8)
    }

    /// Reads `config.json` in the current format or the version-1 string format.
    public static func read(path: String) throws -> RunConfig {
        let bytes = try readFile(path)
        guard let obj = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] else {
            throw RunError.badConfig(path: path, reason: "not a JSON object")
        }
        if obj["format"] as? String == currentFormat {
            do { return try JSONDecoder().decode(RunConfig.self, from: bytes) } catch {
                throw RunError.badConfig(path: path, reason: RunError.describe(error))
            }
        }
        if let f = obj["format"] {
            throw RunError.badConfig(path: path, reason: "unknown format '\(f)'; this toolkit reads \(currentFormat) and the older string configs")
        }
        var strings: [String: String] = [:]
        for (k, v) in obj {
            switch v {
            case let s as String: strings[k] = s
            case let n as NSNumber: strings[k] = n.stringValue
            default: throw RunError.badConfig(path: path, reason: "the value of \"\(k)\" is not a string or number")
            }
        }
        return try legacy(strings, path: path)
    }
}
