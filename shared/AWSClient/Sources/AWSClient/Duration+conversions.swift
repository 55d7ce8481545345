extension Duration {
    /// Whole nanoseconds, sub-second part included (500 ms is 500,000,000, not 0).
    var totalNanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }

    /// Seconds as a fraction, for messages (500 ms is 0.5).
    var totalSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
