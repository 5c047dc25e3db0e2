import Foundation
import Re4Core
import TSNE

/// A t-SNE map of a checkpoint's item gallery, the ground Figure 4's `map`
/// layout places interests on (docs/figures.md). All items are embedded up to
/// `sampleAbove`; larger galleries are represented by a seeded sample of that
/// many items (measured here: 50,000 items take about 19 s with the FFT
/// method on two threads, bench/README.md). A map is cached in the run folder,
/// keyed by the checkpoint's SHA-256 and the t-SNE settings.
public struct GalleryMap: Sendable, Equatable {
    /// Item numbers on the map, ascending.
    public var ids: [Int32]
    /// Their positions, row-major (ids.count × 2).
    public var y: [Double]

    public static let sampleAbove = 50_000

    public init(ids: [Int32], y: [Double]) { self.ids = ids; self.y = y }

    /// Where the map of the model at `path` is cached: its run folder for a
    /// run's checkpoint, else `maps/` under the cache folder ($RE4_CACHE, else
    /// ~/.cache/re4) for any other model (a .pt, a bundle, arrays).
    public static func cacheFolder(for path: String?) -> String? {
        guard let path else { return nil }
        if let run = RunFolder.containing(checkpoint: path) { return run.path }
        return DataCatalog.cacheFolder + "/maps"
    }

    /// Embeds (or reads from the cache) the gallery of `model`.
    /// - Parameter checkpoint: the model's path (checkpoint, state dict, bundle or
    ///   interests file), which says where the map is cached (`cacheFolder(for:)`); nil = no cache.
    public static func make(model: MultiInterestModel, checkpoint: String?, options o: TSNEOptions, sample: Int? = nil,
                            progress: (TSNEProgress) -> Void = { _ in }) throws -> GalleryMap {
        let n = model.config.items, d = model.config.dim
        let cap = min(sample ?? sampleAbove, n)
        var ids = (1...n).map { Int32($0) }
        if cap < n {
            var rng = SeededRandom(seed: o.seed, stream: "gallery-sample")
            rng.shuffle(&ids)
            ids = Array(ids.prefix(cap)).sorted()
        }
        let cache = cacheFolder(for: checkpoint).map { $0 + "/item-map-" + cacheKey(model: model, options: o, count: ids.count) + ".csv" }
        if let cache, let cached = try? read(cache), cached.ids == ids { return cached }
        var vectors = [Float](); vectors.reserveCapacity(ids.count * d)
        for it in ids { vectors += UnsafeBufferPointer(start: model.embedding + Int(it) * d, count: d) }
        var t = o
        t.perplexity = min(t.perplexity, max(1, (Double(ids.count - 1) / 3).rounded(.down) - 1))
        let r = try TSNE.embed(vectors, n: ids.count, dim: d, options: t, progress: progress)
        let map = GalleryMap(ids: ids, y: r.embedding)
        if let cache {
            try? FileManager.default.createDirectory(atPath: (cache as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? AtomicFile.write(map.csv, to: cache)
        }
        return map
    }

    /// SHA-256 of the item embedding's bytes (what the map is made of, whatever
    /// file the model came from) and of every setting that shapes the map, 16 hex
    /// digits. The settings are encoded from the options value itself (every
    /// stored property, by reflection), so a setting added later enters the key
    /// without anyone listing it.
    public static func cacheKey(model: MultiInterestModel, options o: TSNEOptions, count: Int) -> String {
        let n = model.config.items, d = model.config.dim
        var bytes = Data(bytesNoCopy: UnsafeMutableRawPointer(model.embedding), count: (n + 1) * d * MemoryLayout<Float>.size, deallocator: .none)
        bytes = Data(bytes)   // a copy: the key appends to it
        bytes.append(Data(("|" + settingsEncoding(o) + "|items \(count)").utf8))
        return String(Digest.sha256Hex(bytes).prefix(16))
    }

    /// Every stored property of `value`, as `name=value` in declaration order,
    /// nested values spelled out the same way.
    public static func settingsEncoding(_ value: Any) -> String {
        let m = Mirror(reflecting: value)
        guard !m.children.isEmpty, m.displayStyle == .struct else { return String(describing: value) }
        return m.children.map { "\($0.label ?? "?")=\(settingsEncoding($0.value))" }.joined(separator: ";")
    }

    /// `item,x,y` with every coordinate written so that it reads back exactly.
    var csv: String {
        var s = "item,x,y\n"
        for (j, it) in ids.enumerated() { s += "\(it),\(y[2 * j]),\(y[2 * j + 1])\n" }
        return s
    }

    static func read(_ path: String) throws -> GalleryMap {
        let lines = try String(decoding: readFile(path), as: UTF8.self).split(separator: "\n").dropFirst()
        var ids: [Int32] = [], y: [Double] = []
        for l in lines {
            let f = l.split(separator: ",")
            guard f.count == 3, let i = Int32(f[0]), let a = Double(f[1]), let b = Double(f[2]) else {
                throw VizError.badInput("\(path): not an item map; delete it and it is made again")
            }
            ids.append(i); y += [a, b]
        }
        return GalleryMap(ids: ids, y: y)
    }

    /// The position of each item number on the map (nil when sampled out).
    public var positions: [Int32: (Double, Double)] {
        var p: [Int32: (Double, Double)] = [:]
        for (j, it) in ids.enumerated() { p[it] = (y[2 * j], y[2 * j + 1]) }
        return p
    }

    // MARK: Alignment

    /// A rotation or reflection with a translation: p ↦ (p − from) · R + to.
    public struct Alignment: Sendable, Equatable {
        public var r: (Double, Double, Double, Double)
        public var from: (Double, Double), to: (Double, Double)
        public func apply(_ x: Double, _ y: Double) -> (Double, Double) {
            let a = x - from.0, b = y - from.1
            return (a * r.0 + b * r.2 + to.0, a * r.1 + b * r.3 + to.1)
        }
        public static func == (l: Alignment, r: Alignment) -> Bool {
            l.r == r.r && l.from == r.from && l.to == r.to
        }
        public static let identity = Alignment(r: (1, 0, 0, 1), from: (0, 0), to: (0, 0))
    }

    /// The orthogonal Procrustes fit of `self` onto `reference` over the items
    /// both maps hold: the rotation or reflection (and translation) that
    /// minimises the summed squared distance. Scale is kept.
    public func alignment(onto reference: GalleryMap) -> Alignment {
        let ref = reference.positions
        var pairs: [((Double, Double), (Double, Double))] = []
        for (j, it) in ids.enumerated() { if let q = ref[it] { pairs.append(((y[2 * j], y[2 * j + 1]), q)) } }
        guard pairs.count >= 2 else { return .identity }
        let n = Double(pairs.count)
        let mb = (pairs.map { $0.0.0 }.reduce(0, +) / n, pairs.map { $0.0.1 }.reduce(0, +) / n)
        let ma = (pairs.map { $0.1.0 }.reduce(0, +) / n, pairs.map { $0.1.1 }.reduce(0, +) / n)
        // M = Bᵀ A over the centred pairs; trace(Rᵀ M) is maximised by a rotation or a reflection.
        var m00 = 0.0, m01 = 0.0, m10 = 0.0, m11 = 0.0
        for (b, a) in pairs {
            let bx = b.0 - mb.0, by = b.1 - mb.1, ax = a.0 - ma.0, ay = a.1 - ma.1
            m00 += bx * ax; m01 += bx * ay; m10 += by * ax; m11 += by * ay
        }
        let rot = ((m00 + m11) * (m00 + m11) + (m01 - m10) * (m01 - m10)).squareRoot()
        let ref2 = ((m00 - m11) * (m00 - m11) + (m01 + m10) * (m01 + m10)).squareRoot()
        let r: (Double, Double, Double, Double)
        if rot >= ref2 {
            let t = atan2(m01 - m10, m00 + m11)
            r = (cos(t), sin(t), -sin(t), cos(t))
        } else {
            let t = atan2(m01 + m10, m00 - m11)
            r = (cos(t), sin(t), sin(t), -cos(t))
        }
        return Alignment(r: r, from: mb, to: ma)
    }

    /// The map moved by `a`.
    public func applying(_ a: Alignment) -> GalleryMap {
        var out = self
        for j in ids.indices { (out.y[2 * j], out.y[2 * j + 1]) = a.apply(y[2 * j], y[2 * j + 1]) }
        return out
    }
}
