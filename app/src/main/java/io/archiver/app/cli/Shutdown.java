package io.archiver.app.cli;

import java.util.concurrent.CountDownLatch;

/** Blocks a long-running role until the JVM is asked to stop (Ctrl-C, SIGTERM), then closes it. */
public final class Shutdown {

    private Shutdown() {
    }

    public static void awaitThenClose(AutoCloseable service, String what) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                System.err.println("archiver: stopping " + what + " failed: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }, "shutdown-" + what));
        stopped.await();
    }
}
