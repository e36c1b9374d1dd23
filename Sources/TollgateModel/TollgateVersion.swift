/// The version of this build of Tollgate, as `tollgate --version` prints it and each node registers it.
public enum TollgateVersion {
    public static let current = "0.9.0"
}
