import Crypto
import Foundation

/// SHA-256 through swift-crypto, as lowercase hex: wheels are checked with it
/// and data sets fingerprinted.
public enum Digest {
    /// The SHA-256 of `bytes` as 64 hex digits.
    public static func sha256Hex<D: DataProtocol>(_ bytes: D) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// Lowercase hex of a digest, optionally only its first `bytes` bytes.
    public static func hex<S: Sequence>(_ digest: S, bytes: Int = .max) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in digest.prefix(bytes) { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
