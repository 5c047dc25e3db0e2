import Foundation
import TSNE
import Re4Core

/// Feedback on long work (docs/cli.md § Progress): on a terminal, one line
/// redrawn in place — label, bar, count, elapsed time and ETA, and a detail such
/// as ex/s; elsewhere (a log file, CI) a plain line every `plainEvery` seconds.
/// Nothing is drawn for work that ends within `quiet` seconds.
public final class ProgressLine: @unchecked Sendable {
    let label: String
    let tty: Bool
    let width: Int
    let plainEvery: Double
    let quiet: Double
    let clock: () -> Double
    let write: (String) -> Void
    let start: Double
    var lastDraw = -Double.infinity
    var lastPlain: Double
    var drawn = false

    /// - Parameters:
    ///   - tty: whether stderr is a terminal (default: asked); tests pass it.
    ///   - width: the terminal's columns (default: `COLUMNS`, else 100).
    ///   - clock, write: injected by tests (default: wall clock, stderr).
    public init(_ label: String, tty: Bool? = nil, width: Int? = nil, plainEvery: Double = 10, quiet: Double = 1,
                clock: (() -> Double)? = nil, write: ((String) -> Void)? = nil) {
        self.label = label
        self.tty = tty ?? (isatty(2) == 1)
        self.width = max(40, width ?? Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 100)
        self.plainEvery = plainEvery; self.quiet = quiet
        let c = clock ?? { Date().timeIntervalSinceReferenceDate }
        self.clock = c
        self.write = write ?? { s in FileHandle.standardError.write(Data(s.utf8)) }
        start = c(); lastPlain = start
    }

    /// Seconds since the line was made.
    public var elapsed: Double { clock() - start }

    /// m:ss, or h:mm:ss from an hour.
    public static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "?" }
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }

    /// The text for `done` of `total` (total 0 = unknown: no bar, no ETA).
    public func render(done: Int, total: Int, detail: String, bar: Bool = true) -> String {
        let e = elapsed
        var tail = "  \(Self.duration(e))"
        if total > 0 && done > 0 && done < total { tail += ", ETA " + Self.duration(e / Double(done) * Double(total - done)) }
        if !detail.isEmpty { tail += "  " + detail }
        let count = total > 0 ? " \(done)/\(total)" : (done > 0 ? " \(done)" : "")
        var head = label
        let fixed = head.count + count.count + tail.count
        if total > 0 && bar {
            let barWidth = min(30, width - 1 - fixed - 3)
            if barWidth >= 5 {
                let filled = min(barWidth, barWidth * done / total)
                head += " [" + String(repeating: "#", count: filled) + String(repeating: " ", count: barWidth - filled) + "]"
            }
        }
        let line = head + count + tail
        return line.count < width ? line : String(line.prefix(width - 1))
    }

    /// Reports progress; draws at most 10 times a second on a terminal.
    public func update(_ done: Int, of total: Int, detail: String = "") {
        let now = clock()
        if now - start < quiet && !(total > 0 && done >= total && drawn) { return }
        if tty {
            guard now - lastDraw >= 0.1 || done >= total else { return }
            lastDraw = now
            let s = render(done: done, total: total, detail: detail)
            write("\r" + s + "\u{1B}[K")
            drawn = true
        } else if !drawn && now - start >= max(quiet, 2) {
            // Outside a terminal (a log, Jupyter, subprocess): a first line once the work has
            // taken 2 s, so a long step never runs silent, then one every `plainEvery` seconds.
            lastPlain = now; drawn = true
            write(render(done: done, total: total, detail: detail, bar: false) + "\n")
        } else if now - lastPlain >= plainEvery {
            lastPlain = now
            write(render(done: done, total: total, detail: detail, bar: false) + "\n")
        }
    }

    /// Clears the line on a terminal, so the next output starts clean.
    public func finish() {
        if tty && drawn { write("\r\u{1B}[K") }
        if !tty && drawn && lastPlain < clock() - 0.5 { write(label + " done in " + Self.duration(elapsed) + "\n") }
        drawn = false
    }
}

/// A progress line per t-SNE run of a job: each embedding's first report
/// (iteration 0, the neighbours) starts a new line.
final class TSNEBars: @unchecked Sendable {
    let lock = NSLock()
    var line: ProgressLine? = nil
    var runs = 0
    var lastKL = Double.nan
    let make: (String) -> ProgressLine

    init(make: @escaping (String) -> ProgressLine) { self.make = make }

    func report(_ p: TSNEProgress) {
        lock.lock(); defer { lock.unlock() }
        if p.iteration == 0 || line == nil {
            line?.finish()
            runs += 1
            line = make("t-SNE of \(p.points) points" + (runs > 1 ? " (\(runs))" : ""))
            lastKL = .nan
        }
        if p.klEvaluated { lastKL = p.kl }
        let detail = p.iteration == 0 ? "neighbours" : p.phase + (lastKL.isNaN ? "" : String(format: ", KL %.3f", lastKL))
        line?.update(p.iteration, of: p.total, detail: detail)
        if p.iteration == p.total { line?.finish(); line = nil }
    }

    func finish() { lock.lock(); line?.finish(); line = nil; lock.unlock() }
}

/// A progress line per interaction file read, in megabytes.
final class ReadBars: @unchecked Sendable {
    let lock = NSLock()
    var line: ProgressLine? = nil
    var path = ""
    let make: (String) -> ProgressLine

    init(make: @escaping (String) -> ProgressLine) { self.make = make }

    func report(path p: String, bytes: Int, total: Int) {
        lock.lock(); defer { lock.unlock() }
        if p != path || line == nil { line?.finish(); path = p; line = make("reading " + URL(fileURLWithPath: p).lastPathComponent) }
        let mb = 1 << 20
        line?.update(bytes / mb, of: max(1, total / mb), detail: "MB")
        if bytes >= total { line?.finish(); line = nil; path = "" }
    }

    func finish() { lock.lock(); line?.finish(); line = nil; lock.unlock() }
}

/// Runs `body` with a progress line for every interaction file it reads.
public func withReadProgress<T>(_ body: () throws -> T) rethrows -> T {
    let bars = ReadBars { ProgressLine($0) }
    defer { bars.finish() }
    return try ReadProgress.with({ bars.report(path: $0, bytes: $1, total: $2) }) { try body() }
}

/// Runs `body` with a progress line for every t-SNE inside it.
public func withTSNEProgress<T>(_ body: () throws -> T) rethrows -> T {
    let bars = TSNEBars { ProgressLine($0) }
    defer { bars.finish() }
    return try TSNEProgressSink.with({ bars.report($0) }) { try body() }
}

/// The line `re4 train` prints per epoch, at most 120 columns: time (m:ss),
/// speed, the recommendation loss and the flows' losses (unweighted; Base has
/// none), validation and test Recall@50. The total loss and every other metric
/// are in log.csv.
public func epochLine(_ r: EpochRecord, isBest: Bool) -> String {
    let time = ProgressLine.duration(r.seconds)
    let paddedTime = String(repeating: " ", count: max(0, 7 - time.count)) + time
    var s = String(format: "epoch %3d %@ %6.0f ex/s  loss rec %.4f", r.epoch, paddedTime, r.examplesPerSecond, r.loss.rec)
    if r.loss.att != 0 || r.loss.ct != 0 || r.loss.cs != 0 {
        s += String(format: " att %.3f ct %.3f cs %.3f", r.loss.att, r.loss.ct, r.loss.cs)
    }
    s += String(format: "  valid/test R@50 %.4f/%.4f", r.valid["recall@50"] ?? .nan, r.test["recall@50"] ?? .nan)
    return s + (isBest ? " *best" : "")
}
