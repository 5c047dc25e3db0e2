import ArgumentParser
import Re4Core

/// Any multi-interest model's arrays in place of a checkpoint (`re4-viz tsne`,
/// `re4-viz distinct`; docs/interop.md § Any model's arrays).
public struct ArrayInputOptions: ParsableArguments {
    @Option(help: "A model's interests instead of a checkpoint: a .npy of users × K × d.") public var interests: String?
    @Option(help: "With --interests: the item embeddings, a .npy of n × d (items 1…n), or (n+1) × d with --padding-row.") public var itemEmbeddings: String?
    @Flag(help: "With --item-embeddings: row 0 is the padding item, not item 1.") public var paddingRow = false
    @Option(help: "With --interests: the history each row's model read, a .npy of users × L item ids (0 = padding).") public var histories: String?
    @Option(help: "With --histories: the attention of each interest over those positions, a .npy of users × K × L.") public var attention: String?
    @Option(help: "With --interests: the user id of each row, one per line (default: the data's test users in order).") public var rowUsers: String?
    @Option(help: "With --interests and no --data: item titles, lines of id,title[,genres joined by |].") public var itemTitles: String?

    public init() {}

    public var given: Bool { interests != nil }

    public func validate() throws {
        guard given else {
            for (name, v) in [("--item-embeddings", itemEmbeddings), ("--histories", histories), ("--attention", attention),
                              ("--row-users", rowUsers), ("--item-titles", itemTitles)] where v != nil {
                throw ValidationError("\(name) goes with --interests U.npy")
            }
            if paddingRow { throw ValidationError("--padding-row goes with --interests U.npy") }
            return
        }
        guard itemEmbeddings != nil else { throw ValidationError("--interests needs --item-embeddings E.npy (the items the interests are matched against)") }
        if attention != nil && histories == nil { throw ValidationError("--attention needs --histories H.npy (the items its positions refer to)") }
    }

    /// Every input file, so outputs can be checked against them.
    public var inputs: [String] { [interests, itemEmbeddings, histories, attention, rowUsers, itemTitles].compactMap { $0 } }

    /// The model and data: with `--data` the named data set, else one made from the arrays.
    public func open(data: DataOptions) throws -> (MultiInterestModel, Dataset) {
        var f = ArrayModel.Files(interests: interests!, items: itemEmbeddings!)
        f.paddingRow = paddingRow; f.histories = histories; f.attention = attention
        f.rowUsers = rowUsers; f.itemTitles = itemTitles
        var ds: Dataset? = nil
        if let name = data.data {
            if itemTitles != nil { printError("warning: --item-titles is ignored with --data; the data's own titles are used") }
            ds = try data.reading.source(name).load()
        }
        return try ArrayModel.load(f, dataset: ds, maxLength: data.maxLength ?? 20)
    }
}
