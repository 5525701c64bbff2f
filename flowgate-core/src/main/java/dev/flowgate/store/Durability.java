package dev.flowgate.store;

/** How far a journal write has gone when the caller is told it is done. */
public enum Durability {
    /** Each group commit ends with an fsync: a power loss loses nothing acknowledged. The default. */
    FSYNC,
    /**
     * Commits reach the operating system but are not synced: safe against a crash of the process,
     * not against a power loss or a kernel crash.
     */
    NO_FSYNC
}
