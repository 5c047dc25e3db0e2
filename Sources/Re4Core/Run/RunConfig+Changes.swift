import Foundation

extension RunConfig {
    /// The settings that differ between a run's recorded config (`self`) and a
    /// new command line, as "--option was A, now B". Only settings that alter
    /// the math or the data are compared; epochs, patience, threads and
    /// `--keep-every-epoch` may change on `--resume`.
    public func changes(to new: RunConfig) -> [String] {
        var d: [String] = []
        func note<T: Equatable>(_ option: String, _ was: T, _ now: T) {
            func show(_ v: T) -> String { (v as? Float).map(RunConfig.format) ?? "\(v)" }
            if was != now { d.append("\(option) was \(show(was)), now \(show(now))") }
        }
        let a = model, b = new.model
        note("--encoder", a.encoder.rawValue, b.encoder.rawValue)
        note("--interests", a.interests, b.interests)
        note("--dim", a.dim, b.dim)
        note("--max-length", a.maxLength, b.maxLength)
        if a.encoder == .re4 { note("--hidden", a.hidden, b.hidden) }
        note("--lambda-att", a.lambdaAtt, b.lambdaAtt)
        note("--lambda-ct", a.lambdaCt, b.lambdaCt)
        note("--lambda-cs", a.lambdaCs, b.lambdaCs)
        note("--tau", a.tau, b.tau)
        note("--rlambda", a.rlambda ?? 0, b.rlambda ?? 0)
        note("--rbeta", a.rbeta ?? 0, b.rbeta ?? 0)
        let s = training, t = new.training
        note("--negatives", s.negatives.description, t.negatives.description)
        note("--lr", s.learningRate, t.learningRate)
        note("--weight-decay", s.weightDecay, t.weightDecay)
        note("--batch-size", s.batchSize, t.batchSize)
        note("--sampling", s.sampling.rawValue, t.sampling.rawValue)
        note("--seed", s.seed, t.seed)
        note("--samples-per-epoch", s.samplesPerEpoch.map(String.init) ?? "all", t.samplesPerEpoch.map(String.init) ?? "all")
        note("--lazy-adam", s.lazyAdam, t.lazyAdam)
        note("--embedding-std", s.embeddingStd ?? 1, t.embeddingStd ?? 1)
        if !legacy {
            if data.data != new.data.data { d.append("--data was \(data.data), now \(new.data.data)") }
            d += new.data.differences(from: data)
        }
        if d.isEmpty, !dataset.fingerprint.isEmpty, dataset.fingerprint != new.dataset.fingerprint {
            d.append("the data's fingerprint was \(dataset.fingerprint), now \(new.dataset.fingerprint)"
                     + new.dataset.differingParts(from: dataset))
        }
        return d
    }
}

extension RunConfig {
    /// A setting's value as a person writes it: `0` rather than `0.0`, else the shortest form.
    public static func format(_ x: Float) -> String { x == x.rounded() && abs(x) < 1e9 ? String(Int(x)) : "\(x)" }
}

extension RunConfig.DatasetIdentity {
    /// ", the items and the split differ", when both sides know the parts.
    public func differingParts(from other: RunConfig.DatasetIdentity) -> String {
        guard let a = parts, let b = other.parts else { return "" }
        var w: [String] = []
        if a.items != b.items { w.append("the items") }
        if a.interactions != b.interactions { w.append("the interactions") }
        if a.split != b.split { w.append("the split") }
        return w.isEmpty ? "" : " (" + w.joined(separator: " and ") + " differ)"
    }
}

extension RunConfig {
    /// The settings as flat strings under the checkpoint-metadata names, for
    /// tables that group runs by setting (`re4-viz sweep`).
    public var flatSettings: [String: String] {
        let m = model, t = training
        let num = RunConfig.format
        var d: [String: String] = [
            "encoder": m.encoder.rawValue, "K": "\(m.interests)", "d": "\(m.dim)", "L": "\(m.maxLength)", "H": "\(m.hidden)",
            "n_items": "\(m.items)", "lambda_att": num(m.lambdaAtt), "lambda_ct": num(m.lambdaCt), "lambda_cs": num(m.lambdaCs),
            "tau": num(m.tau), "routing_iterations": "\(m.routingIterations)",
            "rlambda": num(m.rlambda ?? 0), "rbeta": num(m.rbeta ?? 0),
            "lr": num(t.learningRate), "weight_decay": num(t.weightDecay), "batch_size": "\(t.batchSize)", "seed": "\(t.seed)",
            "negatives": t.negatives.description, "sampling": t.sampling.rawValue, "lazy_adam": "\(t.lazyAdam)",
            "dataset": dataset.name, "dataset_fingerprint": dataset.fingerprint, "selection": selection,
        ]
        if let e = sessions.last?.epochs { d["epochs"] = "\(e)" }
        return d
    }
}
