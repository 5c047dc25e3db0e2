import Foundation

extension RunConfig {
    /// Reads a version-1 `config.json` (every value a string; no reading
    /// options, threads or commit recorded). The missing reading options take
    /// their defaults and `legacy` is set, so the fingerprint check decides.
    static func legacy(_ s: [String: String], path: String) throws -> RunConfig {
        func int(_ k: String) throws -> Int? {
            guard let v = s[k] else { return nil }
            guard let i = Int(v) else { throw RunError.badConfig(path: path, reason: "'\(k)' = '\(v)' is not a whole number") }
            return i
        }
        func float(_ k: String) throws -> Float? {
            guard let v = s[k] else { return nil }
            guard let f = Float(v), f.isFinite else { throw RunError.badConfig(path: path, reason: "'\(k)' = '\(v)' is not a number") }
            return f
        }
        var m = ModelConfig()
        if let e = s["encoder"] {
            guard let k = EncoderKind(rawValue: e) else { throw RunError.badConfig(path: path, reason: "unknown encoder '\(e)'") }
            m.encoder = k
        }
        m.interests = try int("K") ?? m.interests; m.dim = try int("d") ?? m.dim
        m.maxLength = try int("L") ?? m.maxLength; m.hidden = try int("H") ?? m.hidden
        m.items = try int("n_items") ?? 0
        m.lambdaAtt = try float("lambda_att") ?? m.lambdaAtt; m.lambdaCt = try float("lambda_ct") ?? m.lambdaCt
        m.lambdaCs = try float("lambda_cs") ?? m.lambdaCs; m.tau = try float("tau") ?? m.tau
        m.routingIterations = try int("routing_iterations") ?? m.routingIterations
        var t = TrainingSettings()
        t.batchSize = try int("batch_size") ?? t.batchSize
        t.learningRate = try float("lr") ?? t.learningRate
        t.weightDecay = try float("weight_decay") ?? t.weightDecay
        if let v = s["seed"] {
            guard let seed = UInt64(v) else { throw RunError.badConfig(path: path, reason: "'seed' = '\(v)' is not a whole number") }
            t.seed = seed
        }
        if let v = s["sampling"] {
            guard let x = ExampleSampling(rawValue: v) else { throw RunError.badConfig(path: path, reason: "unknown sampling '\(v)'") }
            t.sampling = x
        }
        t.lazyAdam = s["lazy_adam"] == "true"
        if let v = s["negatives"] { t.negatives = try legacyNegatives(v, path: path) }
        let name = s["dataset"] ?? ""
        var c = RunConfig(model: m, training: t, data: DataSource(data: name),
                          dataset: DatasetIdentity(name: name, fingerprint: s["dataset_fingerprint"] ?? ""))
        c.legacy = true
        if let e = try int("epochs") {
            c.sessions = [Session(firstEpoch: 1, epochs: e, patience: nil, threads: 0, keepEveryEpoch: false)]
            c.sessions[0].toolkit = "unknown (version-1 config)"; c.sessions[0].commit = nil
        }
        return c
    }

    /// Parses the version-1 spelling of the sampler: `uniform(count: 5000)`,
    /// `logUniform(count: 5000)` or `full`.
    static func legacyNegatives(_ v: String, path: String) throws -> NegativeSampling {
        if v == "full" { return NegativeSampling(.full) }
        let digits = v.filter(\.isNumber)
        guard let n = Int(digits), v.hasSuffix(")") else {
            throw RunError.badConfig(path: path, reason: "'negatives' = '\(v)' is not a sampler")
        }
        if v.hasPrefix("uniform(") { return NegativeSampling(.uniform(count: n)) }
        if v.hasPrefix("logUniform(") { return NegativeSampling(.logUniform(count: n)) }
        throw RunError.badConfig(path: path, reason: "'negatives' = '\(v)' is not a sampler")
    }
}
