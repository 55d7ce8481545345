import HTTPTypes

extension HTTPField.Name {
    /// Sent by a reconnecting `EventSource`.
    public static var lastEventID: Self { Self("Last-Event-ID")! }
    /// Tells nginx-like proxies not to buffer a stream.
    public static var xAccelBuffering: Self { Self("X-Accel-Buffering")! }
}
