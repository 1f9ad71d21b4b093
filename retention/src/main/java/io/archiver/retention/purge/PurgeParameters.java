package io.archiver.retention.purge;

import java.time.Duration;

/**
 * The shared reading of a manual purge's arguments (command line and {@code POST /v1/purges}): exactly
 * one of older-than days or hours, in range; max records at least 1. Throws
 * {@link IllegalArgumentException} with a message naming the argument to fix.
 */
public final class PurgeParameters {

    private PurgeParameters() {
    }

    /**
     * @param daysName  how the caller spells the days argument in messages ({@code --older-than-days}, {@code olderThanDays})
     * @param hoursName the same for hours
     */
    public static Duration olderThan(Long days, Long hours, String daysName, String hoursName) {
        if (days == null && hours == null) {
            throw new IllegalArgumentException("give the age of what to purge: " + daysName + " N or " + hoursName + " N");
        }
        if (days != null && hours != null) {
            throw new IllegalArgumentException("give " + daysName + " or " + hoursName + ", not both");
        }
        if (days != null) {
            if (days < 1 || days > io.archiver.retention.RetentionSettings.MAX_DAYS) {
                throw new IllegalArgumentException(daysName + " must be from 1 to " + io.archiver.retention.RetentionSettings.MAX_DAYS + ", not " + days);
            }
            return Duration.ofDays(days);
        }
        if (hours < 1 || hours > PurgeRequest.MAX_HOURS) {
            throw new IllegalArgumentException(hoursName + " must be from 1 to " + PurgeRequest.MAX_HOURS + ", not " + hours);
        }
        return Duration.ofHours(hours);
    }

    public static Long maxRecords(Long value, String name) {
        if (value != null && value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, not " + value);
        }
        return value;
    }
}
