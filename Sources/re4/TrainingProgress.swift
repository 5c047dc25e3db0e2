import Foundation
import Re4CLI
import Re4Core

/// Prints training events: a progress line per epoch's training and evaluation
/// (`ProgressLine`), and one line per finished epoch (`epochLine`).
final class TrainingProgress {
    var line: ProgressLine? = nil
    var phase = ""

    func show(_ event: TrainingEvent) {
        switch event {
        case .batch(let e, let b, let n, let eps, let loss):
            if phase != "train \(e)" { line?.finish(); line = ProgressLine("epoch \(e)"); phase = "train \(e)" }
            line?.update(b, of: n, detail: String(format: "%.0f ex/s  loss %.4f", eps, loss))
        case .evaluating(let e, let done, let of):
            if phase != "eval \(e)" { line?.finish(); line = ProgressLine("epoch \(e) evaluation"); phase = "eval \(e)" }
            line?.update(done, of: of, detail: "valid + test users")
        case .epoch(let r, let best):
            line?.finish(); line = nil; phase = ""
            print(epochLine(r, isBest: best))
            fflush(stdout)
        }
    }
}
