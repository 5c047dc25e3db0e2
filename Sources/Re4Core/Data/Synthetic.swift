import Foundation

/// `re4 data synth`: interaction logs with a known multi-interest structure,
/// so that what a model and a picture show can be checked against the answer.
///
/// Items fall into C categories of (nearly) equal size. Categories have Zipf
/// popularity, and so do the items inside each category. Each user has 1…K_max
/// planted interests — distinct categories drawn by popularity — with its own
/// mix weights (a flat Dirichlet). A sequence starts in an interest drawn by
/// the weights; before each item it switches to a new draw with probability
/// `switchRate`; each item is, with probability `noise`, a noise item drawn by
/// global popularity, else an item of the current interest's category.
/// Timestamps increase by 1–60 s per interaction.
///
/// Files written into the output folder (opened by `--data FOLDER`):
/// `interactions.csv` (user,item,timestamp), `items.csv` (item,title,categories;
/// read as genres are) and `truth.csv` (user,interest,category,weight).
public struct SyntheticSpec: Codable, Sendable, Equatable {
    public var users = 6_000
    public var items = 3_700
    public var categories = 20
    /// Planted interests per user are drawn uniformly from 1…maxInterests.
    public var maxInterests = 4
    /// Probability of drawing the interest anew before each interaction.
    public var switchRate = 0.2
    /// Share of interactions that are noise items, outside the user's interests.
    public var noise = 0.1
    /// Zipf exponent of popularity, across categories and inside each.
    public var skew = 1.0
    /// Sequence lengths are drawn uniformly from this range.
    public var minLength = 20
    public var maxLength = 300
    public var seed: UInt64 = 1
    /// Deal items to categories from a stream of their own, so that data sets
    /// differing only in `items` share every user-side draw: the same planted
    /// interests, weights, lengths, timestamps, switch and noise positions, and
    /// the same popularity rank quantile for each item drawn (the gallery-size
    /// study, issue 18). Off by default: the files of a given seed stay those
    /// the earlier runs were trained on.
    public var fixedUsers = false

    public init() {}

    public static let itemRange = 1_000...1_000_000
    public static let userRange = 10...2_000_000

    /// Refuses settings that cannot make the data asked for; names the option.
    public func check() throws {
        func bad(_ m: String) -> DataError { .badOption(m) }
        guard Self.itemRange.contains(items) else { throw bad("--items \(items) is out of range: between 1000 and 1000000") }
        guard Self.userRange.contains(users) else { throw bad("--users \(users) is out of range: between 10 and 2000000") }
        guard (1...items).contains(categories) else { throw bad("--categories \(categories) is out of range: between 1 and the item count") }
        guard (1...categories).contains(maxInterests) else { throw bad("--max-interests \(maxInterests) is out of range: between 1 and --categories (\(categories))") }
        guard (0...1).contains(switchRate) else { throw bad("--switch-rate \(switchRate) is out of range: a probability in [0, 1]") }
        guard (0..<1).contains(noise) else { throw bad("--noise \(noise) is out of range: a probability in [0, 1)") }
        guard skew >= 0, skew <= 5 else { throw bad("--skew \(skew) is out of range: a Zipf exponent in [0, 5]") }
        guard minLength >= 2, maxLength >= minLength, maxLength <= 100_000 else {
            throw bad("--min-length/--max-length \(minLength)/\(maxLength) are out of range: 2 ≤ min ≤ max ≤ 100000")
        }
    }
}

/// One planted interest of a user: a category and its weight in the user's mix.
public struct PlantedInterest: Sendable, Equatable {
    public var category: String
    public var weight: Double
    public init(category: String, weight: Double) { self.category = category; self.weight = weight }
}

public enum Synthetic {
    public static let interactionsFile = "interactions.csv", itemsFile = "items.csv", truthFile = "truth.csv"

    /// The name of category c (0-based): `c01`, `c02`, ….
    public static func categoryName(_ c: Int, of count: Int) -> String {
        let width = String(count).count
        let s = String(c + 1)
        return "c" + String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// Writes the three files into `folder` (created if needed), streaming the
    /// interactions in blocks. - Returns: the number of interactions written.
    @discardableResult
    public static func write(_ spec: SyntheticSpec, to folder: String) throws -> Int {
        try spec.check()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let outputs = try OutputSet(outputs: [interactionsFile, itemsFile, truthFile].map { folder + "/" + $0 }, inputs: [])
        var rng = SeededRandom(seed: spec.seed, stream: "synth")
        let C = spec.categories, n = spec.items
        // Items to categories: a seeded shuffle dealt round-robin, so sizes differ by at most one.
        var order = Array(0..<n)
        if spec.fixedUsers {
            var itemRNG = SeededRandom(seed: spec.seed, stream: "synth-items")
            itemRNG.shuffle(&order)
        } else {
            rng.shuffle(&order)
        }
        var members = [[Int]](repeating: [], count: C)
        for (j, item) in order.enumerated() { members[j % C].append(item) }
        let categoryCDF = zipfCDF(C, spec.skew)
        let withinCDF = members.map { zipfCDF($0.count, spec.skew) }
        // Global popularity for noise: category share × within-category share.
        var globalWeight = [Double](repeating: 0, count: n)
        for c in 0..<C {
            let pc = categoryCDF[c] - (c > 0 ? categoryCDF[c - 1] : 0)
            for (r, item) in members[c].enumerated() { globalWeight[item] = pc * (withinCDF[c][r] - (r > 0 ? withinCDF[c][r - 1] : 0)) }
        }
        let globalCDF = cumulative(globalWeight)
        let names = (0..<C).map { categoryName($0, of: C) }
        var itemCategory = [Int](repeating: 0, count: n)
        for c in 0..<C { for item in members[c] { itemCategory[item] = c } }

        var items = "item,title,categories\n"
        for i in 0..<n { items += "\(i + 1),item \(i + 1) (\(names[itemCategory[i]])),\(names[itemCategory[i]])\n" }
        var truth = "user,interest,category,weight\n"
        var count = 0
        try outputs.stage(folder + "/" + interactionsFile) { tmp in
            guard FileManager.default.createFile(atPath: tmp, contents: nil), let h = FileHandle(forWritingAtPath: tmp) else {
                throw IOError.unwritable(path: folder + "/" + interactionsFile, reason: "cannot create a temporary file beside it")
            }
            defer { try? h.close() }
            var block = "user,item,timestamp\n"
            for u in 0..<spec.users {
                let k = 1 + rng.below(spec.maxInterests)
                var chosen: [Int] = []
                while chosen.count < k {
                    let c = draw(categoryCDF, &rng)
                    if !chosen.contains(c) { chosen.append(c) }
                }
                var w = chosen.map { _ in -log(max(rng.unitDouble(), 1e-300)) }   // flat Dirichlet
                let total = w.reduce(0, +)
                w = w.map { $0 / total }
                for (i, c) in chosen.enumerated() { truth += "u\(u + 1),\(i + 1),\(names[c]),\(String(format: "%.6f", w[i]))\n" }
                let mixCDF = cumulative(w)
                let m = spec.minLength + rng.below(spec.maxLength - spec.minLength + 1)
                var current = chosen[draw(mixCDF, &rng)]
                var t: Int64 = 1_000_000_000 + Int64(rng.below(1_000_000))
                for step in 0..<m {
                    if step > 0 && rng.unitDouble() < spec.switchRate { current = chosen[draw(mixCDF, &rng)] }
                    let item: Int
                    if rng.unitDouble() < spec.noise { item = draw(globalCDF, &rng) }
                    else { item = members[current][draw(withinCDF[current], &rng)] }
                    t += 1 + Int64(rng.below(60))
                    block += "u\(u + 1),\(item + 1),\(t)\n"
                    count += 1
                }
                if block.utf8.count > 1 << 20 { try h.write(contentsOf: Data(block.utf8)); block = "" }
            }
            try h.write(contentsOf: Data(block.utf8))
            try h.synchronize()
        }
        try outputs.stage(folder + "/" + itemsFile, data: Data(items.utf8))
        try outputs.stage(folder + "/" + truthFile, data: Data(truth.utf8))
        try outputs.commit()
        return count
    }

    /// The cumulative Zipf weights 1/r^s of ranks 1…count, normalised.
    static func zipfCDF(_ count: Int, _ s: Double) -> [Double] {
        cumulative((0..<count).map { 1 / pow(Double($0 + 1), s) })
    }

    static func cumulative(_ w: [Double]) -> [Double] {
        let total = w.reduce(0, +)
        var acc = 0.0
        var out = w.map { acc += $0 / total; return acc }
        if !out.isEmpty { out[out.count - 1] = 1 }
        return out
    }

    /// An index drawn from a cumulative distribution (binary search).
    static func draw(_ cdf: [Double], _ rng: inout SeededRandom) -> Int {
        let u = rng.unitDouble()
        var lo = 0, hi = cdf.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cdf[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

extension Dataset {
    /// Reads `truth.csv` (user,interest,category,weight) into `planted`; users
    /// the data dropped are ignored, unknown columns refused.
    public mutating func attachTruth(path: String) throws {
        let data = try readFile(path)
        let index = Dictionary(userIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var planted = [[PlantedInterest]](repeating: [], count: userCount)
        var first = true
        try data.withUnsafeBytes { raw in
            try DelimitedText(delimiter: ",", quotes: true).forEachRow(in: raw) { line, f in
                if first { first = false; if f.first == "user" { return } }
                guard f.count >= 4 else { throw DataError.missingColumn(file: path, line: line, column: "weight", found: f.count) }
                guard let w = Double(f[3]), w.isFinite, w >= 0 else {
                    throw DataError.badNumber(file: path, line: line, column: "weight", value: String(f[3]))
                }
                if let u = index[String(f[0])] { planted[u].append(PlantedInterest(category: String(f[2]), weight: w)) }
            }
        }
        self.planted = planted
    }
}
