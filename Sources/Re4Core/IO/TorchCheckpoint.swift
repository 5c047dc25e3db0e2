import Foundation
import ZIPFoundation

/// Reads a `torch.save` file (the zip format of PyTorch ≥ 1.6) into named
/// float tensors, safely (docs/interop.md): the pickle is read by `Unpickler`,
/// which runs nothing; each storage's bytes are read only up to the size the
/// pickle and the tensor views need, so a zip bomb or a lying header cannot
/// make it read or allocate more.
public enum TorchCheckpoint {
    /// The largest `data.pkl` accepted (a state dict's pickle is kilobytes).
    public static let maxPickleBytes = 256 << 20
    /// The largest storage accepted (elements × element size).
    public static let maxStorageBytes = 16 << 30

    /// Whether the file looks like a zip (`PK\u{3}\u{4}`) — how `.pt` and `.pth` files begin.
    public static func isZip(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        return (try? h.read(upToCount: 4)) == Data([0x50, 0x4b, 0x03, 0x04])
    }

    /// The state dict of `path` as float tensors (integer and bool tensors converted),
    /// keyed by name. A dict holding one state dict under a key (`{"model": …, "optimizer": …}`)
    /// is unwrapped when exactly one of its values is a dict of tensors.
    public static func read(path: String) throws -> SafeTensors {
        guard FileManager.default.fileExists(atPath: path) else { throw TorchCheckpointError.malformed(file: path, what: "no such file") }
        guard isZip(path) else {
            throw TorchCheckpointError.malformed(file: path, what: "not a zip archive; only the zip format of torch.save (PyTorch ≥ 1.6, the default) is read — re-save it with torch.save(model.state_dict(), path), or export safetensors")
        }
        let archive: Archive
        do { archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read) } catch {
            throw TorchCheckpointError.malformed(file: path, what: "not a readable zip archive (\(error.localizedDescription))")
        }
        let entries = Array(archive)
        let pickles = entries.filter { $0.path == "data.pkl" || $0.path.hasSuffix("/data.pkl") }
        guard let pkl = pickles.min(by: { $0.path.count < $1.path.count }) else {
            throw TorchCheckpointError.malformed(file: path, what: "no data.pkl in the archive; is it a torch.save file?")
        }
        let prefix = String(pkl.path.dropLast("data.pkl".count))
        if let order = entries.first(where: { $0.path == prefix + "byteorder" }) {
            let b = try readEntry(archive, order, limit: 16, file: path)
            guard String(decoding: b, as: UTF8.self) == "little" else {
                throw TorchCheckpointError.malformed(file: path, what: "storages are big-endian; re-save on a little-endian machine")
            }
        }
        let pickle = try readEntry(archive, pkl, limit: maxPickleBytes, file: path)
        var u = Unpickler(pickle, source: path + ": " + pkl.path)
        let root = try u.load()
        let dict = try stateDict(root, file: path)
        let byPath = Dictionary(entries.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var storages: [String: (type: String, bytes: [UInt8])] = [:]
        var out = SafeTensors()
        for (name, ref) in dict {
            if storages[ref.key] == nil {
                let info = Unpickler.storageTypes[ref.storageType]!
                let (need, o) = ref.storageCount.multipliedReportingOverflow(by: info.size)
                guard !o, need <= maxStorageBytes else { throw TorchCheckpointError.malformed(file: path, what: "storage \(ref.key) claims \(ref.storageCount) elements") }
                guard let e = byPath[prefix + "data/" + ref.key] else {
                    throw TorchCheckpointError.malformed(file: path, what: "tensor '\(name)' refers to storage \(ref.key), which the archive does not hold")
                }
                let b = try readEntry(archive, e, limit: need, file: path)
                guard b.count == need else {
                    throw TorchCheckpointError.malformed(file: path, what: "storage \(ref.key) holds \(b.count) bytes, its tensors need \(need)")
                }
                storages[ref.key] = (ref.storageType, b)
            }
            let s = storages[ref.key]!
            guard s.type == ref.storageType else { throw TorchCheckpointError.malformed(file: path, what: "storage \(ref.key) read as two types") }
            out.tensors[name] = tensor(ref, storage: s.bytes)
            if let dt = Unpickler.storageTypes[ref.storageType]!.dtype { out.dtypes[name] = dt }
        }
        return out
    }

    /// Reads one entry, never more than `limit` bytes, whatever its header says.
    /// Declared sizes are checked against the bytes really there first: the
    /// stored bytes must fit in the file, and what they unpack to must fit what
    /// they can hold (equal when stored; at most 1,032 to 1 for deflate).
    static func readEntry(_ archive: Archive, _ e: Entry, limit: Int, file: String) throws -> [UInt8] {
        guard e.uncompressedSize <= UInt64(limit) else {
            throw TorchCheckpointError.malformed(file: file, what: "\(e.path) says it holds \(e.uncompressedSize) bytes, more than the \(limit) it may")
        }
        let fileSize = UInt64((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)??.uint64Value ?? 0)
        guard e.compressedSize <= fileSize else {
            throw TorchCheckpointError.malformed(file: file, what: "\(e.path) declares \(e.compressedSize) stored bytes, but the whole file is \(fileSize) bytes")
        }
        let (expand, o) = e.compressedSize.multipliedReportingOverflow(by: 1032)
        let canHold = e.isCompressed ? (o ? UInt64.max : expand + 64) : e.compressedSize
        guard e.uncompressedSize <= canHold else {
            throw TorchCheckpointError.malformed(file: file, what: "\(e.path) declares \(e.uncompressedSize) bytes, more than its \(e.compressedSize) stored bytes can hold")
        }
        var out = [UInt8](); out.reserveCapacity(Int(min(e.uncompressedSize, 1 << 26)))
        do {
            _ = try archive.extract(e, skipCRC32: false) { chunk in
                guard out.count + chunk.count <= limit else { throw TorchCheckpointError.malformed(file: file, what: "\(e.path) unpacks to more than \(limit) bytes") }
                out += chunk
            }
        } catch let t as TorchCheckpointError { throw t } catch {
            throw TorchCheckpointError.malformed(file: file, what: "\(e.path) cannot be read (\(error.localizedDescription))")
        }
        return out
    }

    /// Name → tensor from the unpickled root: the root dict itself, or the one dict of tensors nested under a key.
    static func stateDict(_ root: Unpickler.Value, file: String) throws -> [(String, Unpickler.TensorRef)] {
        func tensors(_ v: Unpickler.Value) -> [(String, Unpickler.TensorRef)]? {
            guard case .dict(let items) = v, !items.isEmpty else { return nil }
            var out: [(String, Unpickler.TensorRef)] = []
            for (k, x) in items {
                guard case .string(let name) = k, case .tensor(let t) = x else { return nil }
                out.append((name, t))
            }
            return out
        }
        if let t = tensors(root) { return t }
        guard case .dict(let items) = root else { throw TorchCheckpointError.notAStateDict(file: file, found: "a pickled \(kind(root))") }
        let nested = items.compactMap { k, v -> (String, [(String, Unpickler.TensorRef)])? in
            guard case .string(let key) = k, let t = tensors(v) else { return nil }
            return (key, t)
        }
        guard nested.count == 1 else {
            let keys = items.compactMap { if case .string(let s) = $0.0 { return s } else { return nil } }
            throw TorchCheckpointError.notAStateDict(file: file, found: nested.isEmpty ? "a dict whose keys (\(keys.prefix(8).joined(separator: ", "))) hold no dict of tensors"
                : "\(nested.count) dicts of tensors (\(nested.map(\.0).joined(separator: ", "))); save the one to use alone")
        }
        return nested[0].1
    }

    static func kind(_ v: Unpickler.Value) -> String {
        switch v {
        case .list: return "list"; case .tuple: return "tuple"; case .tensor: return "single tensor"
        case .dict: return "dict"; default: return "value"
        }
    }

    /// The view's elements in row-major order, as Float.
    static func tensor(_ r: Unpickler.TensorRef, storage: [UInt8]) -> Tensor {
        let info = Unpickler.storageTypes[r.storageType]!
        let all: [Float] = storage.withUnsafeBytes { raw in
            if let dt = info.dtype { return SafeTensors.convert(raw, dtype: dt, count: r.storageCount) }
            return r.storageType == "BoolStorage" ? raw.map { $0 != 0 ? 1 : 0 } : raw.map { Float($0) }
        }
        let n = r.shape.reduce(1, *)
        var contiguous = true, expect = 1
        for (s, st) in zip(r.shape, r.stride).reversed() { if s > 1 && st != expect { contiguous = false }; expect *= s }
        if contiguous { return Tensor(shape: r.shape, values: Array(all[r.offset..<(r.offset + n)])) }
        var values = [Float](); values.reserveCapacity(n)
        var index = [Int](repeating: 0, count: r.shape.count)
        for _ in 0..<n {
            var at = r.offset
            for (i, st) in zip(index, r.stride) { at += i * st }
            values.append(all[at])
            var d = r.shape.count - 1
            while d >= 0 { index[d] += 1; if index[d] < r.shape[d] { break }; index[d] = 0; d -= 1 }
        }
        return Tensor(shape: r.shape, values: values)
    }
}
