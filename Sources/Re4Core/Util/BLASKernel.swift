import COpenBLAS
import Foundation

/// Which of OpenBLAS's kernels runs the matrix products.
///
/// Debian's OpenBLAS is built for many CPUs and picks one kernel set when the
/// library loads, from the CPU's model number. On a CPU its table does not
/// know (a recent Xeon behind a hypervisor that reports "Intel(R) Xeon(R)
/// Processor" is one) it falls back to "Prescott", the SSE3 kernels of 2004:
/// measured on this project's machine (AVX-512), sgemm at 1024³ ran at
/// 41.5 GFLOP/s against 152.7 with the SkylakeX kernels, and a Base training
/// step took 105 ms against 37 (docs/performance.md, "OpenBLAS's kernel").
/// The choice is made before `main` runs, so it can only be changed for a new
/// process: the executables start themselves again with `OPENBLAS_CORETYPE`
/// set (`reexecArguments`) when OpenBLAS chose a weaker kernel than the CPU's
/// features allow and the variable was not set by the user.
public enum BLASKernel {
    /// The kernel set OpenBLAS is using in this process.
    public static var current: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// A kernel set's tier: 0 for the SSE-era fallbacks, 1 AVX, 2 AVX2 + FMA, 3 AVX-512.
    static func tier(_ core: String) -> Int {
        switch core.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return 3
        case "haswell", "zen": return 2
        case "sandybridge": return 1
        default: return 0
        }
    }

    /// The strongest kernel set OpenBLAS 0.3.21 accepts by name that a CPU with
    /// these `/proc/cpuinfo` flags runs; nil when no AVX2 + FMA.
    public static func best(flags: Set<String>) -> String? {
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        return nil
    }

    /// The kernel set to restart with, or nil to keep this process as it is:
    /// only when the user did not choose one (`OPENBLAS_CORETYPE` unset) and
    /// the CPU can run a stronger one than OpenBLAS chose.
    public static func override(current: String, flags: Set<String>, environment: [String: String]) -> String? {
        guard environment["OPENBLAS_CORETYPE"] == nil, let b = best(flags: flags), tier(b) > tier(current) else { return nil }
        return b
    }

    /// This CPU's feature flags (empty where /proc/cpuinfo is not readable).
    public static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// Starts this executable again with `OPENBLAS_CORETYPE` set when
    /// `override` says so; returns only when it does not (or exec fails).
    public static func restartWithBestKernelIfNeeded() {
        guard let core = override(current: current, flags: cpuFlags(), environment: ProcessInfo.processInfo.environment) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // exec failed: carry on with the kernel already loaded.
    }
}
