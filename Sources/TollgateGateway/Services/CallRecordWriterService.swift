import ServiceLifecycle

/// Runs the CDR writer; at shutdown (after the SIP service has ended every call) it writes what is
/// queued and stops.
struct CallRecordWriterService: Service {
    let writer: CallRecordWriter

    func run() async throws {
        let writing = Task { await writer.run() }
        try? await gracefulShutdown()
        writer.finish()
        await writing.value
    }
}
