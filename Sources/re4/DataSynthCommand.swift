import ArgumentParser
import Re4CLI
import Re4Core

struct DataSynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate interactions with planted interests (a known answer for the lens).",
        discussion: """
            Items fall into --categories categories with Zipf popularity (--skew) across and inside them; \
            each user has 1…--max-interests planted interests (categories) with its own mix weights; a \
            sequence switches interest with probability --switch-rate and takes a noise item with \
            probability --noise. Writes FOLDER/interactions.csv, items.csv (categories, read as genres) and \
            truth.csv (user → planted interests). Open it with --data FOLDER.

            Examples:
              re4 data synth --out data-synth/ml1m-like
              re4 data synth --out data-synth/big --users 20000 --items 50000 \\
                  --categories 50
            """)
    @Option(help: "Output folder (created if missing).") var out: String
    @Option(help: "Users.") var users: Int = 6_000
    @Option(help: "Items (1000…1000000).") var items: Int = 3_700
    @Option(help: "Categories.") var categories: Int = 20
    @Option(help: "Most planted interests per user (each user has 1…this many).") var maxInterests: Int = 4
    @Option(help: "Probability of drawing the interest anew before each interaction.") var switchRate: Double = 0.2
    @Option(help: "Share of noise items (drawn by global popularity).") var noise: Double = 0.1
    @Option(help: "Zipf exponent of popularity.") var skew: Double = 1.0
    @Option(help: "Shortest sequence.") var minLength: Int = 20
    @Option(help: "Longest sequence.") var maxLength: Int = 300
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Flag(help: "Draw the users apart from the items, so data sets differing only in --items share their users' planted interests and sequences.") var fixedUsers = false

    var spec: SyntheticSpec {
        var s = SyntheticSpec()
        s.users = users; s.items = items; s.categories = categories; s.maxInterests = maxInterests
        s.switchRate = switchRate; s.noise = noise; s.skew = skew; s.minLength = minLength; s.maxLength = maxLength; s.seed = seed; s.fixedUsers = fixedUsers
        return s
    }

    func validate() throws { try validating { try spec.check() } }

    func run() throws {
        let n = try Synthetic.write(spec, to: out)
        print("wrote \(out): \(users) users, \(items) items in \(categories) categories, \(n) interactions")
    }
}
