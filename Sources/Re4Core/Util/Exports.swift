// The seeded generator (`SeededRandom`) lives in PairedStats, the small module without
// dependencies that the paired tests share; every user of Re4Core sees it as before.
@_exported import PairedStats
