package io.archiver.compliance.integrity;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;

/** One entry of the seal log: a day's seal, current ({@code integrity_seals}) or replaced ({@code integrity_seal_history}). */
public record SealEntry(long seq, LocalDate day, long records, byte[] root, Instant sealedAt, String sealedBy, String note,
                        byte[] previousChain, byte[] chain, byte[] mac, boolean current) {

    /** The columns {@link #read} takes, common to both tables. */
    static final String COLUMNS = "seq, day, records, root, sealed_at, sealed_by, note, previous_chain, chain, mac";

    static SealEntry read(ResultSet rs, boolean current) throws SQLException {
        return new SealEntry(rs.getLong("seq"), rs.getObject("day", LocalDate.class), rs.getLong("records"), rs.getBytes("root"),
                rs.getObject("sealed_at", OffsetDateTime.class).toInstant(), rs.getString("sealed_by"), rs.getString("note"),
                rs.getBytes("previous_chain"), rs.getBytes("chain"), rs.getBytes("mac"), current);
    }

    /** The chain value its fields give (what {@link #chain} must be). */
    byte[] expectedChain() {
        return IntegrityHashes.chain(previousChain, seq, day, records, root, sealedAt, sealedBy, note);
    }
}
