package io.archiver.compliance.integrity;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** How many records, and the ids of the first {@link #LIMIT} of them (memory stays bounded on a day of millions). */
public final class IdList {

    public static final int LIMIT = 1000;

    private final List<String> ids = new ArrayList<>();
    private long count;

    public void add(String id) {
        count++;
        if (ids.size() < LIMIT) {
            ids.add(id);
        }
    }

    public long count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** The ids kept (all of them up to {@value #LIMIT}), sorted. */
    public List<String> ids() {
        List<String> sorted = new ArrayList<>(ids);
        Collections.sort(sorted);
        return Collections.unmodifiableList(sorted);
    }

    public boolean truncated() {
        return count > ids.size();
    }

    @Override
    public String toString() {
        return count + " " + ids + (truncated() ? " (first " + ids.size() + ")" : "");
    }
}
