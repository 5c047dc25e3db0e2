import Foundation

/// The multi-interest encoders (docs/model.md §2).
public enum EncoderKind: String, Codable, Sendable, CaseIterable {
    /// The self-attentive extractor of the authors' Re4 script (default).
    case re4
    /// ComiRec's self-attentive encoder (positional table, biases, no fc1).
    case comirecSA = "comirec-sa"
    /// ComiRec's dynamic-routing (capsule) encoder.
    case comirecDR = "comirec-dr"
    /// Forward passes of the public PyTorch ComiRec port's models, for analysis
    /// only (docs/interop.md): ComiRec-SA, ComiRec-DR and MIND as that code computes them.
    case portComiRecSA = "pytorch-comirec-sa"
    case portComiRecDR = "pytorch-comirec-dr"
    case portMIND = "pytorch-mind"

    /// The encoders `re4 train` trains.
    public static let trainable: [EncoderKind] = [.re4, .comirecSA, .comirecDR]
    /// Whether this is one of the PyTorch port's forward-only models.
    public var isPort: Bool { !Self.trainable.contains(self) }
}

/// Everything that fixes a model's shapes and its training objective.
public struct ModelConfig: Codable, Sendable, Equatable {
    public var encoder: EncoderKind = .re4
    /// K: interests per user (the paper's default 4; the authors' Amazon-Book run used 8).
    public var interests: Int = 4
    /// d: embedding size.
    public var dim: Int = 64
    /// L: maximum history length.
    public var maxLength: Int = 20
    /// H: attention hidden size of the `re4` encoder.
    public var hidden: Int = 256
    /// n: items (ids 1...n; 0 is padding).
    public var items: Int = 0
    /// Weights of the backward flows (docs/model.md §3.5). All zero = Base.
    public var lambdaAtt: Float = 0.001
    public var lambdaCt: Float = 0.1
    public var lambdaCs: Float = 0.1
    /// Re-contrast temperature τ (docs/model.md §3.3: 0.02).
    public var tau: Float = 0.02
    /// Dynamic-routing iterations (ComiRec: 3).
    public var routingIterations: Int = 3
    /// REMI's routing regularisation weight (`--rlambda`; `RoutingRegularizer`).
    /// nil = off; recorded in the config and checkpoint only when set.
    public var rlambda: Float? = nil
    /// REMI's hard-negative strength β (`--rbeta`; `SampledSoftmax.beta`). nil = off.
    public var rbeta: Float? = nil
    /// The port's capsule models only: apply its relu layer to the interests
    /// (the port does so for MIND on Amazon Books). Not part of the JSON config.
    public var portReluLayer = false

    public init() {}

    /// JSON keys: the same names as the checkpoint metadata.
    enum CodingKeys: String, CodingKey {
        case encoder, interests = "K", dim = "d", maxLength = "L", hidden = "H", items = "n_items"
        case lambdaAtt = "lambda_att", lambdaCt = "lambda_ct", lambdaCs = "lambda_cs", tau
        case routingIterations = "routing_iterations", rlambda, rbeta
    }

    public var isBase: Bool { lambdaAtt == 0 && lambdaCt == 0 && lambdaCs == 0 }
    /// Whether either of REMI's terms is on.
    public var usesREMI: Bool { (rlambda ?? 0) != 0 || (rbeta ?? 0) != 0 }
    /// Whether the Re-construct parameters (W3, W3_2, W5, fc_cons) exist.
    public var hasFlowParameters: Bool { lambdaCs != 0 }

    /// The config as safetensors `__metadata__` strings.
    public var metadata: [String: String] {
        var m = coreMetadata
        if encoder.isPort { m["relu_layer"] = portReluLayer ? "1" : "0" }
        if let r = rlambda, r != 0 { m["rlambda"] = "\(r)" }
        if let r = rbeta, r != 0 { m["rbeta"] = "\(r)" }
        return m
    }

    private var coreMetadata: [String: String] {
        ["encoder": encoder.rawValue, "K": "\(interests)", "d": "\(dim)", "L": "\(maxLength)", "H": "\(hidden)",
         "n_items": "\(items)", "lambda_att": "\(lambdaAtt)", "lambda_ct": "\(lambdaCt)", "lambda_cs": "\(lambdaCs)",
         "tau": "\(tau)", "routing_iterations": "\(routingIterations)"]
    }
}

/// A named magic number with its source, for the masks.
public enum Masking {
    /// Padding logits are set to -1e9, never -inf: 0·(-1e9) = 0 keeps masked
    /// cross-entropy terms finite, where 0·(-inf) would give NaN (docs/model.md §3.2).
    public static let logit: Float = -1e9
}
