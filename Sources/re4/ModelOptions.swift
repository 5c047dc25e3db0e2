import ArgumentParser
import Re4CLI
import Re4Core

/// The model's options (`re4 train`, `re4 bench`).
struct ModelOptions: ParsableArguments {
    @Option(help: "Encoder: re4, comirec-sa or comirec-dr.") var encoder: EncoderKind = .re4
    @Option(name: [.customLong("interests"), .customShort("K")], help: "K, interests per user.") var interests: Int = 4
    @Option(help: "d, embedding size.") var dim: Int = 64
    @Option(help: "L, maximum history length.") var maxLength: Int = 20
    @Option(help: "H, attention hidden size (re4 encoder).") var hidden: Int = 256
    @Option(help: "Re-attend weight λ_att.") var lambdaAtt: Float = 0.001
    @Option(help: "Re-contrast weight λ_ct.") var lambdaCt: Float = 0.1
    @Option(help: "Re-construct weight λ_cs.") var lambdaCs: Float = 0.1
    @Option(help: "Re-contrast temperature τ.") var tau: Float = 0.02
    @Flag(help: "Base model: all three backward flows off.") var base = false

    func validate() throws {
        for (name, v) in [("--interests", interests), ("--dim", dim), ("--max-length", maxLength), ("--hidden", hidden)] where v < 1 {
            throw ValidationError("\(name) must be ≥ 1, got \(v)")
        }
        for (name, v) in [("--lambda-att", lambdaAtt), ("--lambda-ct", lambdaCt), ("--lambda-cs", lambdaCs)] where !(v >= 0 && v.isFinite) {
            throw ValidationError("\(name) must be a finite number ≥ 0, got \(v)")
        }
        guard tau > 0, tau.isFinite else { throw ValidationError("--tau must be > 0, got \(tau)") }
    }

    var config: ModelConfig {
        var c = ModelConfig()
        c.encoder = encoder; c.interests = interests; c.dim = dim; c.maxLength = maxLength; c.hidden = hidden
        c.lambdaAtt = base ? 0 : lambdaAtt; c.lambdaCt = base ? 0 : lambdaCt; c.lambdaCs = base ? 0 : lambdaCs
        c.tau = tau
        return c
    }
}
