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
    @Option(help: "REMI's routing regularisation weight (Tokkiu/REMI's --rlambda; the authors used 100). Off when not given.") var rlambda: Float?
    @Option(help: "REMI's interest-aware hard negatives, β (Tokkiu/REMI's --rbeta; the authors used 0.1-10). Uniform sampler only. Off when not given.") var rbeta: Float?
    @Flag(help: "Base model: all three backward flows off (REMI's terms stay as given).") var base = false

    func validate() throws { try validating { try Limits.check(config) } }

    var config: ModelConfig {
        var c = ModelConfig()
        c.encoder = encoder; c.interests = interests; c.dim = dim; c.maxLength = maxLength; c.hidden = hidden
        c.lambdaAtt = base ? 0 : lambdaAtt; c.lambdaCt = base ? 0 : lambdaCt; c.lambdaCs = base ? 0 : lambdaCs
        c.tau = tau; c.rlambda = rlambda; c.rbeta = rbeta
        return c
    }
}
