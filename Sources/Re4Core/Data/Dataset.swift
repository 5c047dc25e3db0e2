import Foundation

/// Which part of the user split a user belongs to (docs/model.md §1).
public enum SplitPart: UInt8, Sendable, CaseIterable {
    case train = 0, valid = 1, test = 2
    public var name: String { ["train", "valid", "test"][Int(rawValue)] }
}

/// How items are numbered 1...n.
public enum ItemOrder: String, Codable, Sendable, CaseIterable {
    /// In the order each item is first seen in the file (the default).
    case firstSeen = "first-seen"
    /// By descending interaction count, ties by first appearance: required by
    /// ComiRec's log-uniform sampler, which assumes id order = popularity order.
    case popularity
}

/// A data set ready for training: items renumbered 1...n (0 is padding), one
/// time-sorted sequence per user, and a user-level train/valid/test split.
public struct Dataset: Sendable {
    public var name: String
    /// `itemIDs[i - 1]` is the raw id of item `i`.
    public var itemIDs: [String]
    public var userIDs: [String]
    /// Per user, item numbers in time order (stable on equal timestamps).
    public var sequences: [[Int32]]
    public var split: [SplitPart]
    /// Per item number (index 0 unused, empty), its categories; empty if unknown.
    public var itemCategories: [[String]]
    /// Per item number (index 0 unused), its title where known, else "".
    public var itemTitles: [String]
    /// Users dropped for having fewer than two interactions.
    public var skippedUsers: Int = 0
    /// Interactions read from the file(s), before any filtering.
    public var interactionsRead: Int = 0
    /// Earliest and latest timestamp (seconds), if the data had times.
    public var timeRange: ClosedRange<Double>? = nil
    /// Whether the split came from the files (ComiRec) rather than from a seeded shuffle.
    public var presplit: Bool = false
    /// Per user, the interests planted by `re4 data synth` (empty when the data
    /// carries no `truth.csv`).
    public var planted: [[PlantedInterest]] = []
    public var hasTruth: Bool { planted.contains { !$0.isEmpty } }
    /// False for a data set made from a model's arrays (`ArrayModel`): each
    /// sequence is the whole history the model read, and nothing is held out.
    public var heldOut = true

    public var itemCount: Int { itemIDs.count }
    public var userCount: Int { sequences.count }
    public var interactionCount: Int { sequences.reduce(0) { $0 + $1.count } }
    public var hasCategories: Bool { itemCategories.contains { !$0.isEmpty } }

    /// Users in one part of the split, in user order.
    public func users(in part: SplitPart) -> [Int] {
        split.indices.filter { split[$0] == part }
    }
}

/// Options for turning an interaction log into a `Dataset`.
public struct DatasetOptions: Sendable {
    public var seed: UInt64 = 2022
    /// Iterated k-core filter (users and items with fewer than k interactions are
    /// removed until none is left); 0 or 1 means no filter.
    public var kCore: Int = 0
    public var itemOrder: ItemOrder = .firstSeen
    /// Shares of users in train and valid; test gets the rest (docs/model.md: 80/10/10).
    public var trainShare: Double = 0.8
    public var validShare: Double = 0.1
    public init() {}
}

extension Dataset {
    /// Builds a data set from raw interactions (docs/model.md §1): stable time sort per
    /// user, renumbering, k-core, a seeded user split.
    /// The log is consumed: its per-row arrays are released as soon as they are
    /// used, so reading a large file does not hold them and the data set at once.
    public static func build(name: String, log consumedLog: consuming InteractionLog, side: ItemSideInfo? = nil,
                             options: DatasetOptions = DatasetOptions()) throws -> Dataset {
        var log = consumedLog
        let timeRange = log.timeColumn.range
        // Group by user in order of first appearance, keeping file order inside:
        // a counting sort on the log's user numbers (already first-seen order),
        // done in place. Each row's user number is overwritten by the row's place
        // in the grouped order, and the items and times are moved there by
        // following that permutation's cycles, so no second copy of the rows is
        // ever held (a file already grouped by user moves nothing).
        let nUsers = log.userIDs.count, nItems = log.itemIDs.count, nRows = log.count
        var offsets = [Int](repeating: 0, count: nUsers + 1)
        var dest = log.userOf
        log.userOf = []
        var grouped = true
        dest.withUnsafeMutableBufferPointer { d in
            for r in 0..<nRows { offsets[Int(d[r]) + 1] += 1 }
            for u in 0..<nUsers { offsets[u + 1] += offsets[u] }
            var fill = offsets
            for r in 0..<nRows {
                let u = Int(d[r]), p = fill[u]
                fill[u] = p + 1
                if p != r { grouped = false }
                d[r] = Int32(p)
            }
        }
        var itemOf = log.itemOf
        log.itemOf = []
        var times = log.timeColumn
        log.timeColumn = TimeColumn()
        if !grouped {
            dest.withUnsafeBufferPointer { d in times.moveRows(to: d, companion: &itemOf) }
        }
        dest = []
        // Stable time sort per user (ties keep file order), skipped when a
        // user's rows are already in time order, as logs usually are.
        var scratch: [Int32] = []
        for u in 0..<nUsers { times.stableSortSegment(offsets[u], offsets[u + 1], companion: &itemOf, scratch: &scratch) }
        times = TimeColumn()
        // k-core on the raw items; `active` holds the users' items only when it filters.
        var keepUser = [Bool](repeating: true, count: nUsers)
        var active: [[Int32]]? = nil
        if options.kCore > 1 {
            var act = (0..<nUsers).map { Array(itemOf[offsets[$0]..<offsets[$0 + 1]]) }
            var itemCount = [Int](repeating: 0, count: nItems)
            while true {
                for j in itemCount.indices { itemCount[j] = 0 }
                for u in act.indices where keepUser[u] { for it in act[u] { itemCount[Int(it)] += 1 } }
                var changed = false
                for u in act.indices where keepUser[u] {
                    let filtered = act[u].filter { itemCount[Int($0)] >= options.kCore }
                    if filtered.count != act[u].count { changed = true; act[u] = filtered }
                    if act[u].count < options.kCore { keepUser[u] = false; changed = true }
                }
                if !changed { break }
            }
            active = act
        }
        func length(_ u: Int) -> Int { active?[u].count ?? offsets[u + 1] - offsets[u] }
        func forEachItem(of u: Int, _ body: (Int32) -> Void) {
            if let active { for it in active[u] { body(it) } } else { for p in offsets[u]..<offsets[u + 1] { body(itemOf[p]) } }
        }
        // Users with fewer than 2 interactions cannot give a training or eval example.
        var skipped = 0
        for u in 0..<nUsers where keepUser[u] && length(u) < 2 { keepUser[u] = false; skipped += 1 }
        let keptUsers = (0..<nUsers).filter { keepUser[$0] }
        if keptUsers.isEmpty { throw DataError.noUsableUsers(file: log.source) }

        // Number the items the kept users have: by first appearance in the file
        // (the log's item numbers are that order) or by popularity.
        var counts = [Int](repeating: 0, count: nItems)
        for u in keptUsers { forEachItem(of: u) { counts[Int($0)] += 1 } }
        var items = (0..<nItems).filter { counts[$0] > 0 }
        if options.itemOrder == .popularity {
            items.sort { counts[$0] > counts[$1] || (counts[$0] == counts[$1] && $0 < $1) }
        }
        var number = [Int32](repeating: 0, count: nItems)
        for (i, it) in items.enumerated() { number[it] = Int32(i + 1) }

        var ds = Dataset(name: name, itemIDs: items.map { log.itemIDs[$0] }, userIDs: keptUsers.map { log.userIDs[$0] },
                         sequences: keptUsers.map { u in
                             var seq = [Int32](); seq.reserveCapacity(length(u))
                             forEachItem(of: u) { seq.append(number[Int($0)]) }
                             return seq
                         },
                         split: [], itemCategories: [], itemTitles: [])
        itemOf = []; active = nil   // the rows are in the sequences now
        ds.skippedUsers = skipped
        ds.interactionsRead = nRows
        ds.timeRange = timeRange
        ds.split = seededSplit(users: ds.userCount, options: options)
        ds.attach(side)
        return ds
    }

    /// The seeded 80/10/10 user split: shuffle user indices with the seed, the
    /// first ⌊0.8·N⌋ are train, the next ⌊0.1·N⌋ valid, the rest test.
    public static func seededSplit(users n: Int, options: DatasetOptions) -> [SplitPart] {
        var order = Array(0..<n)
        var rng = SeededRandom(seed: options.seed, stream: "user-split")
        rng.shuffle(&order)
        let nTrain = Int((Double(n) * options.trainShare).rounded(.down))
        let nValid = Int((Double(n) * options.validShare).rounded(.down))
        var split = [SplitPart](repeating: .test, count: n)
        for (pos, u) in order.enumerated() {
            split[u] = pos < nTrain ? .train : (pos < nTrain + nValid ? .valid : .test)
        }
        return split
    }

    /// Attaches titles and categories by raw item id.
    public mutating func attach(_ side: ItemSideInfo?) {
        itemCategories = [[String]](repeating: [], count: itemCount + 1)
        itemTitles = [String](repeating: "", count: itemCount + 1)
        guard let side else { return }
        for (i, id) in itemIDs.enumerated() {
            itemCategories[i + 1] = side.categories[id] ?? []
            itemTitles[i + 1] = side.titles[id] ?? ""
        }
    }
}
