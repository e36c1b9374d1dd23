/// A fraud configuration the engine cannot run with (the config loader reports these with line
/// numbers first; this guards configurations built in code).
public enum FraudConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownTimeZone(String)
    case unknownClassOfService(String)
    case unknownDestinationClass(String)

    public var description: String {
        switch self {
        case .unknownTimeZone(let name): "unknown time zone \"\(name)\""
        case .unknownClassOfService(let name): "unknown class of service \"\(name)\""
        case .unknownDestinationClass(let name): "unknown destination class \"\(name)\""
        }
    }
}
