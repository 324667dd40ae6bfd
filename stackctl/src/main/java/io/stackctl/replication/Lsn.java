package io.stackctl.replication;

/** A WAL position as PostgreSQL prints it (16/B374D848): two hex halves of a 64-bit byte offset. */
final class Lsn {

    private Lsn() {}

    /** The offset; -1 for text that is not an LSN (a node that did not answer). */
    static long parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            return -1;
        }
        try {
            return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
