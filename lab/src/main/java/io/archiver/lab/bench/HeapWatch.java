package io.archiver.lab.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/** Heap during a run: the peak of heap used sampled every 10 ms, and the peak of heap used right after each GC (the live set). */
final class HeapWatch {

    /**
     * {@code used}: the highest heap use sampled; {@code afterGc}: the highest heap use right after a collection
     * (young collections leave promoted garbage in the old generation, so an upper bound of the live set);
     * {@code afterFullGc}: the highest right after a full collection (the live set itself; -1 when none was needed).
     */
    record Peaks(long used, long afterGc, long afterFullGc, long collections, long fullCollections) {
    }

    private final AtomicLong used = new AtomicLong();
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong collections = new AtomicLong();
    private final AtomicLong full = new AtomicLong(-1);
    private final AtomicLong fullCollections = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread sampler;
    private final List<Runnable> unsubscribe = new ArrayList<>();

    private HeapWatch() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        Set<String> heapPools = new HashSet<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                NotificationListener listener = (notification, handback) -> {
                    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                        return;
                    }
                    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo
                            .from((CompositeData) notification.getUserData());
                    long after = 0;
                    for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                        if (heapPools.contains(e.getKey())) {
                            after += e.getValue().getUsed();
                        }
                    }
                    live.accumulateAndGet(after, Math::max);
                    collections.incrementAndGet();
                    if (info.getGcAction().contains("major")) {
                        full.accumulateAndGet(after, Math::max);
                        fullCollections.incrementAndGet();
                    }
                };
                emitter.addNotificationListener(listener, null, null);
                unsubscribe.add(() -> {
                    try {
                        emitter.removeNotificationListener(listener);
                    } catch (ListenerNotFoundException ignored) {
                        // gone already
                    }
                });
            }
        }
        sampler = new Thread(() -> {
            while (running.get()) {
                used.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-watch");
        sampler.setDaemon(true);
    }

    static HeapWatch start() {
        System.gc();
        HeapWatch watch = new HeapWatch();
        watch.sampler.start();
        return watch;
    }

    Peaks stop() throws InterruptedException {
        running.set(false);
        sampler.join();
        unsubscribe.forEach(Runnable::run);
        return new Peaks(used.get(), live.get(), full.get(), collections.get(), fullCollections.get());
    }
}
