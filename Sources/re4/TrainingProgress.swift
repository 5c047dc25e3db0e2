import Foundation
import Re4CLI
import Re4Core

/// Prints training events: a bar on a terminal, one line per epoch.
struct TrainingProgress {
    let tty = isatty(2) == 1

    func show(_ event: TrainingEvent) {
        switch event {
        case .batch(let e, let b, let n, let eps, let loss):
            guard tty && (b % 5 == 0 || b == n) else { return }
            let width = 30, filled = width * b / n
            printError(String(format: "\repoch %d [%@%@] %d/%d  %.0f ex/s  loss %.4f",
                              e, String(repeating: "#", count: filled), String(repeating: " ", count: width - filled),
                              b, n, eps, loss), newline: false)
        case .epoch(let r, let best):
            if tty { printError("\r", newline: false) }
            print(String(format: "epoch %3d  %6.1fs  %7.0f ex/s  loss %.4f (rec %.4f att %.4f ct %.4f cs %.4f)  valid R@50 %.4f  test R@50 %.4f HR@50 %.4f NDCG@50 %.4f%@",
                         r.epoch, r.seconds, r.examplesPerSecond, r.loss.total, r.loss.rec, r.loss.att, r.loss.ct, r.loss.cs,
                         r.valid["recall@50"] ?? .nan, r.test["recall@50"] ?? .nan, r.test["hitrate@50"] ?? .nan,
                         r.test["ndcg@50"] ?? .nan, best ? "  *best" : ""))
            fflush(stdout)
        }
    }
}
