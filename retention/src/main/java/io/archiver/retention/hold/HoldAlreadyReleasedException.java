package io.archiver.retention.hold;

/** {@link HoldStore#release} of a hold that was released before: says when and by whom. */
public final class HoldAlreadyReleasedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Hold hold;

    public HoldAlreadyReleasedException(Hold hold) {
        super("hold " + hold.id() + " was already released at " + hold.releasedAt() + " by " + hold.releasedBy());
        this.hold = hold;
    }

    /** The hold as it stands: released, with {@code releasedAt} and {@code releasedBy}. */
    public Hold hold() {
        return hold;
    }
}
