import Re4Core

extension Distinctness {
    /// `re4-viz distinct` as one job: every model's per-user statistics over the
    /// same users, and its report (means with bootstrap intervals; `format`
    /// pairs the later models against the first).
    public struct Measured {
        public var users: [Int]
        public var reports: [Report]
        /// Per model, every user's value of each statistic (`perUserCSV`).
        public var perUser: [[String: [Double]]]
    }

    /// - Parameter sample: measure a seeded sample of this many test users (the
    ///   context's seed; any history length), else every test user.
    public static func run(panels: [Panel], dataset ds: Dataset, sample: Int?, context c: AnalysisContext) -> Measured {
        let users = sample.map { sampleUsers(ds, count: $0, seed: c.seed, minLength: 1) } ?? ds.users(in: .test)
        var m = Measured(users: users, reports: [], perUser: [])
        for p in panels {
            c.progress("\(p.label): \(users.count) users")
            let per = perUser(model: p.model, dataset: ds, users: users, threads: c.threads)
            m.perUser.append(per)
            m.reports.append(report(checkpoint: p.label, perUser: per, model: p.model, dataset: ds, seed: c.seed))
        }
        return m
    }
}
