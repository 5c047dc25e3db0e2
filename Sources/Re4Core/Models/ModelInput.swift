import Foundation

/// One model argument, resolved: what the path is, how it is read, its label
/// and where its caches go. Every command that looks at models takes its
/// positional MODEL… through this, so no command parses paths itself.
public struct ModelInput: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A `.safetensors` inside a run folder (`re4 train` output): the run records its data.
        case runCheckpoint = "run checkpoint"
        /// A `.safetensors` elsewhere (an export, a converted file).
        case safetensors = "safetensors file"
        /// A PyTorch `.pt`/`.pth` state dict (Re4 script, ComiRec port SA/DR/MIND, REMI).
        case torch = "PyTorch state dict"
        /// An interest bundle folder (`InterestBundle`).
        case bundle = "interest bundle"
        /// Arrays named one by one (`--interests U.npy --item-embeddings E.npy`).
        case arrays = "arrays"
    }

    /// The argument as given.
    public var given: String
    /// The file (or bundle folder) that is read.
    public var path: String
    public var kind: Kind
    /// The run folder holding it, if any (its item maps are cached there).
    public var runFolder: String?
    /// The label shown for it (panel title, column name).
    public var label: String

    public init(given: String, path: String, kind: Kind, runFolder: String?, label: String) {
        self.given = given; self.path = path; self.kind = kind; self.runFolder = runFolder; self.label = label
    }

    /// Resolves one argument: a run folder (its best checkpoint), a checkpoint
    /// file, a state dict, or a bundle folder. Refuses anything else, naming it.
    public static func resolve(_ given: String) throws -> ModelInput {
        let fm = FileManager.default
        var dir: ObjCBool = false
        guard fm.fileExists(atPath: given, isDirectory: &dir) else {
            throw ModelInputError.notFound(path: given)
        }
        if dir.boolValue {
            if InterestBundle.isBundle(given) {
                let m = try InterestBundle.manifest(given)
                return ModelInput(given: given, path: given, kind: .bundle, runFolder: nil,
                                  label: m.model.flatMap { $0.isEmpty ? nil : $0 } ?? URL(fileURLWithPath: given).lastPathComponent)
            }
            let best = given + "/" + RunFolder.bestName
            if fm.fileExists(atPath: best) {
                return ModelInput(given: given, path: best, kind: .runCheckpoint, runFolder: given,
                                  label: URL(fileURLWithPath: given).standardizedFileURL.lastPathComponent)
            }
            throw ModelInputError.notAModel(path: given, why: "a folder that is neither a run folder (no \(RunFolder.bestName)) nor an interest bundle (no \(InterestBundle.manifestName))")
        }
        let ext = URL(fileURLWithPath: given).pathExtension.lowercased()
        let stem = URL(fileURLWithPath: given).deletingPathExtension().lastPathComponent
        switch ext {
        case "pt", "pth", "bin", "ckpt":
            return ModelInput(given: given, path: given, kind: .torch, runFolder: nil, label: stem)
        case "safetensors":
            if let folder = RunFolder.containing(checkpoint: given) {
                let run = URL(fileURLWithPath: folder.path).standardizedFileURL.lastPathComponent
                return ModelInput(given: given, path: given, kind: .runCheckpoint, runFolder: folder.path,
                                  label: stem == "best" || stem == "last" ? run : run + "/" + stem)
            }
            return ModelInput(given: given, path: given, kind: .safetensors, runFolder: nil, label: stem)
        case "npy":
            throw ModelInputError.notAModel(path: given, why: "a single array; a model's arrays go in an interest bundle folder (interests.npy, items.npy, bundle.json: docs/bundle.md), or give --interests with --item-embeddings")
        default:
            throw ModelInputError.notAModel(path: given, why: "not a checkpoint (.safetensors, .pt/.pth), run folder or interest bundle folder")
        }
    }

    /// Resolves every argument and applies `labels` (one per model) when given;
    /// checked before anything is loaded. Default labels that coincide take the
    /// folder above them.
    public static func resolve(_ given: [String], labels: [String]?) throws -> [ModelInput] {
        var inputs = try given.map(resolve)
        if let labels {
            guard labels.count == inputs.count else { throw ModelInputError.labelCount(labels: labels.count, models: inputs.count) }
            guard !labels.contains(where: { $0.isEmpty }) else { throw ModelInputError.emptyLabel }
            for i in inputs.indices { inputs[i].label = labels[i] }
        } else {
            let labels = inputs.map(\.label)
            for i in inputs.indices where labels.indices.contains(where: { $0 != i && labels[$0] == labels[i] }) {
                let parent = URL(fileURLWithPath: inputs[i].runFolder ?? inputs[i].path).standardizedFileURL.deletingLastPathComponent().lastPathComponent
                inputs[i].label = parent + "/" + inputs[i].label
            }
        }
        return inputs
    }

    /// The files this model is read from (for the check that no output overwrites an input).
    public var inputFiles: [String] {
        if let runFolder { return [path, runFolder] }
        guard kind == .bundle else { return [path] }
        let names = ["bundle.json", "interests.npy", "items.npy", "histories.npy", "attention.npy", "users.csv", "items.csv"]
        return [path] + names.map { path + "/" + $0 }.filter { FileManager.default.fileExists(atPath: $0) }
    }
}

/// Models opened together with the one data set they are analysed on.
public struct OpenedModels {
    public var dataset: Dataset
    public var models: [MultiInterestModel]
    public var inputs: [ModelInput]
    /// The data's source when it was read from a data set (nil when made from a bundle's arrays).
    public var source: DataSource?
    public var warnings: [String] = []

    public init(dataset: Dataset, models: [MultiInterestModel], inputs: [ModelInput], source: DataSource?, warnings: [String] = []) {
        self.dataset = dataset; self.models = models; self.inputs = inputs; self.source = source; self.warnings = warnings
    }

    /// Opens `inputs`. Checkpoints and state dicts open with their run's data (or
    /// `request`); bundles are read against that data (item j = item j; rows by
    /// users.csv) or, with no data at all, make the data from their histories —
    /// several bundles then must hold the same users and items.
    public static func open(_ inputs: [ModelInput], request: DataRequest, allowMismatch: Bool,
                            fallback: ModelConfig = ModelConfig(), maxLength: Int = 20) throws -> OpenedModels {
        guard !inputs.contains(where: { $0.kind == .arrays }) else { throw ModelInputError.noData }
        let files = inputs.filter { $0.kind != .bundle }.map(\.path)
        var ds: Dataset? = nil
        var source: DataSource? = nil
        var byPath: [String: MultiInterestModel] = [:]
        var warnings: [String] = []
        if !files.isEmpty {
            let r = try RunData.open(checkpoints: files, request: request, allowMismatch: allowMismatch, fallback: fallback)
            ds = r.dataset; source = r.source; warnings = r.warnings
            for (p, m) in zip(files, r.models) { byPath[p] = m }
        } else if let s = request.resolve(over: nil) {
            ds = try s.load(); source = s
        }
        var models: [MultiInterestModel] = []
        // With data: each bundle's rows are matched to its users, and the test users become
        // the rows' users (the same for every bundle). Without: the first bundle makes the data.
        var narrowed: (Dataset, String)? = nil
        var made: (Dataset, String)? = nil
        for input in inputs {
            if input.kind != .bundle { models.append(byPath[input.path]!); continue }
            let f = try InterestBundle.files(input.path)
            if let given = ds, made == nil {
                let (m, d) = try ArrayModel.load(f, dataset: given, maxLength: maxLength)
                if let (first, path) = narrowed, first.users(in: .test) != d.users(in: .test) {
                    throw ModelInputError.different(first: path, other: input.path, what: "their rows are other users (users.csv); analyses compare models on the same users")
                }
                if narrowed == nil { narrowed = (d, input.path) }
                models.append(m)
            } else if let (first, path) = made {
                let (m, d) = try ArrayModel.load(f, dataset: nil, maxLength: maxLength)
                guard d.itemCount == first.itemCount else {
                    throw ModelInputError.different(first: path, other: input.path, what: "\(first.itemCount) against \(d.itemCount) items")
                }
                guard d.userIDs == first.userIDs, d.sequences == first.sequences else {
                    throw ModelInputError.different(first: path, other: input.path, what: "other users or histories (compare users.csv and histories.npy; or give --data so each bundle's rows are matched by user id)")
                }
                models.append(m)
            } else {
                let (m, d) = try ArrayModel.load(f, dataset: nil, maxLength: maxLength)
                ds = d; made = (d, input.path); models.append(m)
            }
        }
        if let (d, _) = narrowed { ds = d }
        // A bundle's items.csv names its items better than ids do: its titles and genres
        // replace the data's where it gives them (a ComiRec split knows only raw ids).
        if var d = ds, source != nil {
            for input in inputs where input.kind == .bundle {
                if let t = try InterestBundle.files(input.path).itemTitles {
                    var titles = d.itemTitles, cats = d.itemCategories
                    var given = [String](repeating: "", count: d.itemCount + 1), gcats = [[String]](repeating: [], count: d.itemCount + 1)
                    try ArrayModel.readTitles(t, n: d.itemCount, titles: &given, categories: &gcats)
                    for j in 1...max(1, d.itemCount) where j <= d.itemCount {
                        if !given[j].isEmpty { titles[j] = given[j] }
                        if !gcats[j].isEmpty { cats[j] = gcats[j] }
                    }
                    d.itemTitles = titles; d.itemCategories = cats
                }
            }
            ds = d
        }
        guard let ds else { throw ModelInputError.noData }
        return OpenedModels(dataset: ds, models: models, inputs: inputs, source: source, warnings: warnings)
    }
}

public enum ModelInputError: LocalizedError, Equatable {
    case notFound(path: String)
    case notAModel(path: String, why: String)
    case labelCount(labels: Int, models: Int)
    case emptyLabel
    case different(first: String, other: String, what: String)
    case noData

    public var errorDescription: String? {
        switch self {
        case .notFound(let p): return "\(p): no such file or folder; give a checkpoint, a run folder or an interest bundle folder"
        case .notAModel(let p, let w): return "\(p): \(w)"
        case .labelCount(let l, let m): return "--labels has \(l) name\(l == 1 ? "" : "s") for \(m) model\(m == 1 ? "" : "s"); give one per model, comma-separated"
        case .emptyLabel: return "--labels has an empty name; give one name per model, comma-separated"
        case .different(let a, let b, let w): return "\(b): not the same data as \(a): \(w)"
        case .noData: return "no data to analyse the models on; give --data"
        }
    }
}
