import Foundation

/// What a command line said about the data: each reading option is nil when
/// it was not given, so a run's recorded setting can fill it in.
public struct DataRequest: Sendable, Equatable {
    public var data: String?
    public var splitSeed: UInt64?
    public var kCore: Int?
    public var itemOrder: ItemOrder?
    public var columns: String?
    public var delimiter: String?
    public init(data: String? = nil, splitSeed: UInt64? = nil, kCore: Int? = nil, itemOrder: ItemOrder? = nil,
                columns: String? = nil, delimiter: String? = nil) {
        self.data = data; self.splitSeed = splitSeed; self.kCore = kCore; self.itemOrder = itemOrder
        self.columns = columns; self.delimiter = delimiter
    }

    /// The source to read: every option given wins, the rest comes from the run's
    /// recorded source (`trained`), else the defaults. Nil when neither names the data.
    public func resolve(over trained: DataSource?) -> DataSource? {
        guard let name = data ?? trained?.data else { return nil }
        let base = trained ?? DataSource(data: name)
        return DataSource(data: name, splitSeed: splitSeed ?? base.splitSeed, kCore: kCore ?? base.kCore,
                          itemOrder: itemOrder ?? base.itemOrder, columns: columns ?? base.columns,
                          delimiter: delimiter ?? base.delimiter)
    }
}

/// Opens checkpoints together with the data they were trained on, for the
/// analysis commands and `re4 evaluate`/`export`. A checkpoint inside a run
/// folder brings its recorded data source, so the data opens exactly as it was
/// trained; a mismatch names the settings that differ.
public struct RunData {
    public var dataset: Dataset
    public var source: DataSource
    public var models: [MultiInterestModel]
    public var provenances: [Checkpoint.Provenance]
    /// Lines to print on stderr (a checkpoint without a fingerprint, a mismatch allowed).
    public var warnings: [String] = []

    /// - Parameters:
    ///   - checkpoints: checkpoint files (`re4 train` output or plain exports).
    ///   - request: what the command line said about the data.
    ///   - allowMismatch: use checkpoints trained on other data.
    ///   - fallback: settings for files without metadata (L, λs).
    public static func open(checkpoints: [String], request: DataRequest, allowMismatch: Bool,
                            fallback: ModelConfig = ModelConfig()) throws -> RunData {
        let (source, ds) = try openData(for: checkpoints, request: request)
        var r = RunData(dataset: ds, source: source, models: [], provenances: [])
        for path in checkpoints {
            let (model, prov, warning) = try load(path, dataset: ds, source: source, allowMismatch: allowMismatch, fallback: fallback)
            r.models.append(model); r.provenances.append(prov)
            if let warning { r.warnings.append(warning) }
        }
        return r
    }

    /// The data the checkpoints were trained on: the request's options over the
    /// first run config that records its source.
    public static func openData(for checkpoints: [String], request: DataRequest) throws -> (DataSource, Dataset) {
        var trained: DataSource? = nil
        for c in checkpoints {
            if let config = try RunFolder.containing(checkpoint: c).map({ try $0.readConfig() }), !config.legacy {
                trained = config.data
                break
            }
        }
        guard let source = request.resolve(over: trained) else { throw RunError.noData(checkpoint: checkpoints.first ?? "") }
        return (source, try source.load())
    }

    /// One checkpoint, checked against the data: its fingerprint (a mismatch is
    /// an error naming the settings that differ, unless allowed) and its item count.
    /// - Returns: the model, its provenance and a warning to print, if any.
    public static func load(_ path: String, dataset ds: Dataset, source: DataSource, allowMismatch: Bool,
                            fallback: ModelConfig = ModelConfig()) throws -> (MultiInterestModel, Checkpoint.Provenance, String?) {
        let (model, prov) = try Checkpoint.load(path: path, fallback: fallback)
        var warning: String? = nil
        if prov.datasetFingerprint.isEmpty {
            warning = "\(path) records no data fingerprint (a plain export): it is used with \(ds.name) as given, unchecked"
        } else if prov.datasetFingerprint != ds.fingerprint {
            let config = try RunFolder.containing(checkpoint: path).map { try $0.readConfig() }
            let why = mismatchReasons(config: config, source: source, dataset: ds)
            guard allowMismatch else {
                throw RunError.dataMismatch(checkpoint: path, trained: prov.datasetFingerprint, data: ds.fingerprint,
                                            dataName: ds.name, reasons: why)
            }
            warning = "\(path) was trained on other data (\(why.isEmpty ? "fingerprint differs" : why.joined(separator: "; "))); used anyway (--allow-mismatch)"
        }
        guard model.config.items == ds.itemCount else {
            throw CheckpointError.inconsistent(file: path, what: "the embedding has \(model.config.items) items but \(ds.name) has \(ds.itemCount)")
        }
        return (model, prov, warning)
    }

    /// Which settings differ between the run's record and the data opened.
    static func mismatchReasons(config: RunConfig?, source: DataSource, dataset: Dataset) -> [String] {
        guard let config else { return [] }
        var why: [String] = []
        if !config.legacy {
            if config.data.data != source.data { why.append("--data was \(config.data.data), now \(source.data)") }
            why += source.differences(from: config.data)
        }
        let parts = RunConfig.DatasetIdentity(dataset).differingParts(from: config.dataset)
        if why.isEmpty && !parts.isEmpty { why.append("the data itself changed" + parts) }
        return why
    }
}
