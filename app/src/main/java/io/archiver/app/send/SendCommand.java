package io.archiver.app.send;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.Locale;
import io.archiver.core.text.Plural;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "send", mixinStandardHelpOptions = true,
        description = "Post NDJSON records (one JSON record a line) to a front-end, in batches.")
public final class SendCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", required = true, description = "front-end base URL, e.g. http://127.0.0.1:8080")
    String url;

    @Option(names = "--token", description = "bearer token with role ingest (or set ARCHIVER_TOKEN, or use --token-file)")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE", description = "file holding the bearer token")
    Path tokenFile;

    @Option(names = "--batch", defaultValue = "1000", description = "records per request (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--give-up-after", defaultValue = "5m", description = "stop retrying a batch after this long (default ${DEFAULT-VALUE})")
    String giveUpAfter;

    @Parameters(arity = "0..1", paramLabel = "FILE|-", description = "NDJSON file, or - for standard input (default)")
    String input = "-";

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || batch > 100_000) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--batch must be from 1 to 100000");
        }
        Duration patience = io.archiver.core.config.Config.parseDuration(giveUpAfter).orElseThrow(() ->
                new picocli.CommandLine.ParameterException(spec.commandLine(), "--give-up-after must be a duration such as 30s or 5m"));
        if (!"-".equals(input)) {
            Path file = Path.of(input);
            if (!Files.exists(file)) {
                throw new NoSuchFileException(input);
            }
            if (Files.isDirectory(file)) {
                throw new IOException(input + " is a directory, not an NDJSON file");
            }
        }
        String bearer = resolveToken();
        PrintStream err = System.err;
        RecordSender sender = new RecordSender(url, bearer, patience, (attempt, reason, delay) ->
                err.printf(Locale.ROOT, "archiver: send: %s: %s; retry %d in %s%n", url, reason, attempt, seconds(delay)));
        long total = 0;
        long lineNumber = 0;
        long firstLineOfBatch = 1;
        int inBatch = 0;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        long size = "-".equals(input) ? -1 : Files.size(Path.of(input));
        try (InputStream in = "-".equals(input) ? System.in : Files.newInputStream(Path.of(input));
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
             ProgressBar progress = progressBar(size)) {
            String line;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                buffer.write(bytes);
                buffer.write('\n');
                inBatch++;
                if (progress != null) {
                    progress.stepBy(bytes.length + 1L);
                }
                if (inBatch == batch || buffer.size() > 6 * 1024 * 1024) {
                    total += flush(sender, buffer, firstLineOfBatch, lineNumber, total);
                    inBatch = 0;
                    firstLineOfBatch = lineNumber + 1;
                }
            }
            if (inBatch > 0) {
                total += flush(sender, buffer, firstLineOfBatch, lineNumber, total);
            }
        }
        System.out.println("sent " + Plural.of(total, "record"));
        return 0;
    }

    private static long flush(RecordSender sender, ByteArrayOutputStream buffer, long firstLine, long lastLine, long sentSoFar)
            throws IOException, InterruptedException {
        try {
            int accepted = sender.send(buffer.toByteArray());
            buffer.reset();
            return accepted;
        } catch (RecordSender.RefusedException e) {
            throw new IOException("the batch of lines " + firstLine + "-" + lastLine + " was refused after " + sentSoFar
                    + (sentSoFar == 1 ? " record" : " records") + " went in (record indexes count from line " + firstLine + "): " + e.getMessage());
        }
    }

    private String resolveToken() throws IOException {
        if (token != null) {
            return token;
        }
        if (tokenFile != null) {
            return Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        }
        String fromEnvironment = System.getenv("ARCHIVER_TOKEN");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment.strip();
        }
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "a token is required: --token, --token-file or ARCHIVER_TOKEN");
    }

    private static String seconds(Duration delay) {
        return String.format(Locale.ROOT, "%.1f s", delay.toMillis() / 1000.0);
    }

    private static ProgressBar progressBar(long size) {
        if (size <= 0 || System.console() == null) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName("send").setInitialMax(size).setUnit(" MiB", 1 << 20)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).build();
    }
}
