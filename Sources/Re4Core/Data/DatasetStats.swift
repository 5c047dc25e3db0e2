import Foundation

/// Summary numbers of a data set, as `re4 data stats` prints them.
public struct DatasetStats: Sendable, Codable, Equatable {
    public var name: String
    public var users: Int
    public var items: Int
    public var interactions: Int
    public var interactionsRead: Int
    public var skippedUsers: Int
    /// Sequence-length quantiles: min, 10%, 25%, 50%, 75%, 90%, max (nearest rank).
    public var lengthQuantiles: [Int]
    public var meanLength: Double
    public var firstTime: Double?
    public var lastTime: Double?
    public var trainUsers: Int
    public var validUsers: Int
    public var testUsers: Int
    public var trainingExamples: Int
    public var categories: Int
    public var fingerprint: String
    public var presplit: Bool

    public init(_ d: Dataset) {
        name = d.name
        users = d.userCount
        items = d.itemCount
        interactions = d.interactionCount
        interactionsRead = d.interactionsRead
        skippedUsers = d.skippedUsers
        let lengths = d.sequences.map(\.count).sorted()
        lengthQuantiles = [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0].map { DatasetStats.quantile(lengths, $0) }
        meanLength = lengths.isEmpty ? 0 : Double(interactions) / Double(lengths.count)
        firstTime = d.timeRange?.lowerBound
        lastTime = d.timeRange?.upperBound
        trainUsers = d.split.filter { $0 == .train }.count
        validUsers = d.split.filter { $0 == .valid }.count
        testUsers = d.split.filter { $0 == .test }.count
        trainingExamples = zip(d.sequences, d.split).reduce(0) { $0 + ($1.1 == .train ? max(0, $1.0.count - 1) : 0) }
        categories = Set(d.itemCategories.joined()).count
        fingerprint = d.fingerprint
        presplit = d.presplit
    }

    /// Nearest-rank quantile of sorted values (q in [0, 1]).
    public static func quantile(_ sorted: [Int], _ q: Double) -> Int {
        guard !sorted.isEmpty else { return 0 }
        let r = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(r, 0), sorted.count - 1)]
    }

    /// A human-readable table.
    public var text: String {
        func n(_ x: Int) -> String { DatasetStats.grouped(x) }
        func date(_ t: Double?) -> String {
            guard let t else { return "-" }
            let f = DateFormatter(); f.dateFormat = "yyyy-MM-dd"; f.timeZone = TimeZone(identifier: "UTC")
            return f.string(from: Date(timeIntervalSince1970: t))
        }
        let q = lengthQuantiles
        var lines = [
            "data set          \(name)  (fingerprint \(fingerprint))",
            "users             \(n(users))" + (skippedUsers > 0 ? "  (\(n(skippedUsers)) skipped: fewer than 2 interactions)" : ""),
            "items             \(n(items))",
            "interactions      \(n(interactions))" + (interactionsRead != interactions ? "  (\(n(interactionsRead)) read)" : ""),
            "sequence length   min \(q[0])  p10 \(q[1])  p25 \(q[2])  median \(q[3])  p75 \(q[4])  p90 \(q[5])  max \(q[6])  mean \(String(format: "%.1f", meanLength))",
        ]
        if firstTime != nil { lines.append("time span         \(date(firstTime)) to \(date(lastTime))") }
        lines.append("split (users)     train \(n(trainUsers))  valid \(n(validUsers))  test \(n(testUsers))" + (presplit ? "  (from the files)" : "  (seeded 80/10/10)"))
        lines.append("training examples \(n(trainingExamples))")
        if categories > 0 { lines.append("item categories   \(categories)") }
        return lines.joined(separator: "\n")
    }

    public static func grouped(_ x: Int) -> String {
        let s = String(x)
        var out = ""
        for (i, c) in s.reversed().enumerated() { if i > 0 && i % 3 == 0 { out.append(",") }; out.append(c) }
        return String(out.reversed())
    }
}
