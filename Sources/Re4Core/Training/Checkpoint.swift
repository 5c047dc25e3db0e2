import Foundation

/// Checkpoints: one safetensors file with the authors' tensor names (docs/model.md §6)
/// and the config in `__metadata__`. A file without metadata (a plain PyTorch
/// `state_dict` export) takes its shapes from the tensors.
public enum Checkpoint {
    /// Metadata keys that describe where a checkpoint came from (besides the config).
    public struct Provenance: Sendable, Equatable {
        public var seed: UInt64 = 0
        public var epoch: Int = 0
        public var datasetName = ""
        public var datasetFingerprint = ""
        public var itemMap = ""
        public init() {}
    }

    public static func metadata(_ config: ModelConfig, _ p: Provenance) -> [String: String] {
        var m = config.metadata
        m["seed"] = "\(p.seed)"; m["epoch"] = "\(p.epoch)"
        m["dataset"] = p.datasetName; m["dataset_fingerprint"] = p.datasetFingerprint
        m["item_map"] = p.itemMap; m["format"] = "re4-toolkit-checkpoint-v1"
        return m
    }

    /// Writes the model atomically. Base models leave out the Re-construct
    /// parameters only if they were never created.
    public static func save(_ model: MultiInterestModel, provenance: Provenance, path: String) throws {
        try SafeTensors(metadata: metadata(model.config, provenance), tensors: model.params.tensors()).write(path: path)
    }

    /// Loads a checkpoint, validating every tensor's presence and shape.
    /// - Parameter fallback: settings for a file without metadata (L, λs); shapes
    ///   always come from the tensors then.
    /// A `torch.save` state dict (`.pt`, `.pth`: a zip) is read by `TorchCheckpoint`;
    /// like a plain export it has no metadata, so its shapes come from the tensors.
    public static func load(path: String, fallback: ModelConfig = ModelConfig()) throws -> (MultiInterestModel, Provenance) {
        return try load(readTensors(path: path), source: path, fallback: fallback)
    }

    /// The tensors of a safetensors file or of a PyTorch state dict, told apart by their first bytes.
    public static func readTensors(path: String) throws -> SafeTensors {
        TorchCheckpoint.isZip(path) ? try TorchCheckpoint.read(path: path) : try SafeTensors.read(path: path)
    }

    /// The PyTorch ComiRec port's name for the item embedding (`nn.Embedding` called `embeddings`).
    public static let portEmbeddingName = "embeddings.weight"

    /// The encoder a file without metadata holds, told by its tensor names.
    static func inferEncoder(_ st: SafeTensors) -> EncoderKind {
        let t = st.tensors
        if t[MultiInterestModel.embeddingName] == nil, t[portEmbeddingName] != nil {
            if t["capsule_network.w"] != nil { return .portComiRecDR }
            if t["capsule_network.linear.weight"] != nil { return .portMIND }
            return .portComiRecSA
        }
        return t["dr.W"] != nil ? .comirecDR : (t["sa.Wa"] != nil ? .comirecSA : .re4)
    }

    public static func load(_ st: SafeTensors, source: String, fallback: ModelConfig = ModelConfig()) throws -> (MultiInterestModel, Provenance) {
        var c = fallback
        let m = st.metadata
        if let e = m["encoder"] {
            guard let k = EncoderKind(rawValue: e) else { throw CheckpointError.badMetadata(file: source, key: "encoder", value: e) }
            c.encoder = k
        } else {
            c.encoder = inferEncoder(st)
        }
        let embeddingName = c.encoder.isPort ? portEmbeddingName : MultiInterestModel.embeddingName
        let E = try st.tensor(embeddingName, source: source)
        guard E.shape.count == 2, E.shape[0] >= 2, E.shape[1] >= 1 else {
            throw SafeTensorsError.wrongShape(file: source, tensor: embeddingName, expected: [-1, -1], found: E.shape)
        }
        var prov = Provenance()
        func int(_ k: String) throws -> Int? {
            guard let s = m[k] else { return nil }
            guard let v = Int(s), v >= 0 else { throw CheckpointError.badMetadata(file: source, key: k, value: s) }
            return v
        }
        func float(_ k: String) throws -> Float? {
            guard let s = m[k] else { return nil }
            guard let v = Float(s), v.isFinite else { throw CheckpointError.badMetadata(file: source, key: k, value: s) }
            return v
        }
        c.items = E.shape[0] - 1
        c.dim = E.shape[1]
        if let v = try int("n_items"), v != c.items {
            throw CheckpointError.inconsistent(file: source, what: "metadata says \(v) items but \(MultiInterestModel.embeddingName) has \(c.items) rows after padding")
        }
        if let v = try int("d"), v != c.dim {
            throw CheckpointError.inconsistent(file: source, what: "metadata says d = \(v) but the embedding has \(c.dim) columns")
        }
        // K, H, L from metadata, else from the tensors.
        switch c.encoder {
        case .re4:
            let w12 = try st.tensor("W1_2", source: source)
            c.interests = w12.shape.first ?? 0
            c.hidden = w12.shape.count == 2 ? w12.shape[1] : 0
        case .comirecSA:
            let wb = try st.tensor("sa.Wb", source: source)
            c.interests = wb.shape.count == 2 ? wb.shape[1] : 0
            c.maxLength = try st.tensor("position_embedding", source: source).shape.first ?? 0
        case .comirecDR:
            let w = try st.tensor("dr.W", source: source)
            c.maxLength = w.shape.first ?? 0
            c.interests = w.shape.count == 3 && c.dim > 0 ? w.shape[1] / c.dim : 0
        case .portComiRecSA:
            let w2 = try st.tensor("linear2.weight", source: source)
            c.interests = w2.shape.first ?? 0
            let pe = try st.tensor("position_embedding", source: source)
            c.maxLength = pe.shape.count == 3 ? pe.shape[1] : 0
        case .portComiRecDR:
            let w = try st.tensor("capsule_network.w", source: source)
            c.maxLength = w.shape.count == 4 ? w.shape[1] : 0
            c.interests = w.shape.count == 4 && c.dim > 0 ? w.shape[2] / c.dim : 0
        case .portMIND:
            // K and L are not in MIND's tensors: metadata, else --interests and --max-length.
            if let v = try int("K") { c.interests = v }
        }
        if let w32 = st.tensors["W3_2"] { c.maxLength = w32.shape.first ?? c.maxLength }
        if let v = try int("K"), v != c.interests {
            throw CheckpointError.inconsistent(file: source, what: "metadata says K = \(v) but the tensors hold \(c.interests) interests")
        }
        if let v = try int("H"), c.encoder == .re4, v != c.hidden {
            throw CheckpointError.inconsistent(file: source, what: "metadata says H = \(v) but W1_2 has \(c.hidden) columns")
        }
        if let v = try int("L") {
            if st.tensors["W3_2"] != nil || (c.encoder != .re4 && c.encoder != .portMIND), v != c.maxLength {
                throw CheckpointError.inconsistent(file: source, what: "metadata says L = \(v) but the tensors have length \(c.maxLength)")
            }
            c.maxLength = v
        }
        guard c.interests >= 1, c.maxLength >= 1 else {
            throw CheckpointError.inconsistent(file: source, what: "cannot tell K and L from the tensors")
        }
        if let v = try float("lambda_att") { c.lambdaAtt = v }
        if let v = try float("lambda_ct") { c.lambdaCt = v }
        if let v = try float("lambda_cs") { c.lambdaCs = v }
        if let v = try float("tau") { c.tau = v }
        if let v = try int("routing_iterations") { c.routingIterations = max(1, v) }
        if let v = try float("rlambda") { c.rlambda = v }
        if let v = try float("rbeta") { c.rbeta = v }
        // Re-construct needs its parameters: without W3 the flow is off; a plain
        // export that has them gets the default weight.
        let hasFlowTensors = st.tensors["W3"] != nil
        if !hasFlowTensors { c.lambdaCs = 0 } else if m["lambda_cs"] == nil { c.lambdaCs = ModelConfig().lambdaCs }
        if c.encoder.isPort {
            // The port trains with the recommendation loss alone.
            c.lambdaAtt = 0; c.lambdaCt = 0; c.lambdaCs = 0
            if let r = m["relu_layer"] { c.portReluLayer = r == "1" }
        }
        prov.seed = UInt64(m["seed"] ?? "0") ?? 0
        prov.epoch = try int("epoch") ?? 0
        prov.datasetName = m["dataset"] ?? ""
        prov.datasetFingerprint = m["dataset_fingerprint"] ?? ""
        prov.itemMap = m["item_map"] ?? ""

        // Every expected tensor present with the expected shape.
        var template = ParameterSet()
        var rng = SeededRandom(seed: 0)
        let enc = makeEncoder(c)
        enc.initialize(&template, &rng)
        if c.hasFlowParameters { ReConstruct.initialize(&template, d: c.dim, L: c.maxLength, &rng) }
        var params = ParameterSet()
        params.add(MultiInterestModel.embeddingName, shape: E.shape, values: E.values)
        for (i, name) in template.names.enumerated() {
            let t = try st.tensor(name, source: source)
            guard t.shape == template.shapes[i] else {
                throw SafeTensorsError.wrongShape(file: source, tensor: name, expected: template.shapes[i], found: t.shape)
            }
            params.add(name, shape: t.shape, values: t.values)
        }
        for (name, t) in st.tensors where !t.values.allSatisfy(\.isFinite) {
            throw CheckpointError.nonFinite(file: source, tensor: name)
        }
        return (MultiInterestModel(config: c, params: params), prov)
    }
}

public enum CheckpointError: LocalizedError, Equatable {
    case badMetadata(file: String, key: String, value: String)
    case inconsistent(file: String, what: String)
    case nonFinite(file: String, tensor: String)
    case datasetMismatch(file: String, checkpoint: String, data: String, dataName: String)
    case resumeMissing(folder: String)

    public var errorDescription: String? {
        switch self {
        case .badMetadata(let f, let k, let v):
            return "\(f): metadata '\(k)' = '\(v.prefix(40))' is not valid; fix or remove it"
        case .inconsistent(let f, let w):
            return "\(f): \(w); the checkpoint is inconsistent with its metadata"
        case .nonFinite(let f, let t):
            return "\(f): tensor '\(t)' holds NaN or infinite values; use an earlier checkpoint"
        case .datasetMismatch(let f, let c, let d, let n):
            return "\(f): trained on data with fingerprint \(c), but \(n) has \(d); pass the same data (and split seed) or --allow-mismatch"
        case .resumeMissing(let f):
            return "\(f): nothing to resume (no last.optim.safetensors); start without --resume"
        }
    }
}
