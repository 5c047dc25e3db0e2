import Foundation

/// Readable names for every key a figure can show: metrics (`test_recall@50`),
/// losses (`loss_ct`) and distinctness statistics (`cos_U`). One table, used
/// by every figure title, legend and axis label (docs/figures.md, "Labels").
public enum Labels {
    /// Metric bodies, before the cut-off.
    public static let metrics: [String: String] = [
        "recall": "Recall", "ndcg": "NDCG", "hitrate": "HR",
        "ndcg_comirec": "NDCG (ComiRec's)", "ndcg_re4": "NDCG (Re4's)",
    ]
    public static let splits: [String: String] = ["test": "test", "valid": "validation"]
    public static let losses: [String: String] = [
        "loss": "Training loss (total)", "loss_rec": "Recommendation loss", "loss_att": "Re-attend loss",
        "loss_ct": "Re-contrast loss", "loss_cs": "Re-construct loss", "loss_rr": "REMI routing regularisation",
    ]
    /// Short names of the distinctness statistics (their definitions: `Distinctness.definitions`).
    public static let statistics: [String: String] = [
        "cos_U": "Cosine between interests (U)",
        "cos_Z": "Cosine between interests (Z)",
        "cos_U_slot": "Cosine of slot k across users (U)",
        "attention_entropy": "Attention entropy (normalised)",
        "attention_top_share": "Attention on the top item",
        "positives": "Positives per interest",
        "no_positive_share": "Interests with no positive",
        "retrieved_jaccard": "Top-50 overlap between interests",
        "usage_entropy": "Interest usage entropy",
        "dead_interest_share": "Interests never used",
        "coherence_margin": "Coherence margin",
        "category_purity": "Category purity of the top-50",
        "top50_genres": "Categories in the merged top-50",
        "recovered_attended": "Planted interests recovered (attention)",
        "recovered_retrieved": "Planted interests recovered (top-50)",
        "duplicate_attended": "Duplicate interests (attention)",
        "duplicate_retrieved": "Duplicate interests (top-50)",
        "purity_attended": "Category purity of attention",
    ]

    /// The readable name of `key`; an unknown key is returned as it is.
    /// `test_recall@50` → "Recall@50 (test)", `valid_ndcg_re4@20` →
    /// "NDCG@20 (Re4's), validation", `recall@50` → "Recall@50".
    public static func readable(_ key: String) -> String {
        if let l = losses[key] ?? statistics[key] { return l }
        // The per-epoch statistics of `re4 train --log-distinctness`.
        if key.hasPrefix("dist_") {
            let body = String(key.dropFirst(5))
            if body == "routing_penalty" { return "Routing penalty (REMI's, per user)" }
            if let l = statistics[body] { return l }
        }
        var body = Substring(key), split: String? = nil
        for (prefix, name) in splits where key.hasPrefix(prefix + "_") { body = key.dropFirst(prefix.count + 1); split = name }
        let parts = body.split(separator: "@", maxSplits: 1)
        guard parts.count == 2, let name = metrics[String(parts[0])], Int(parts[1]) != nil else { return key }
        // "NDCG (Re4's)" + "@20" → "NDCG@20 (Re4's)".
        let head: String
        if let paren = name.firstIndex(of: " ") { head = name[..<paren] + "@" + parts[1] + name[paren...] } else { head = name + "@" + parts[1] }
        guard let split else { return head }
        return head.hasSuffix(")") ? head + ", " + split : head + " (" + split + ")"
    }
}
