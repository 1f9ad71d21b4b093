package io.archiver.compliance.export;

import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.Kind;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UnsupportedEncodingException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One {@code .eml} per conversation (Jakarta Mail, Angus): From the first sender, To every other
 * participant, Date the first record, Subject "IM conversation ID", a stable Message-ID derived from the
 * conversation and its time range; the body is multipart/alternative with a UTF-8 text/plain transcript
 * ({@code [2026-11-24 10:15:30Z] sip:alice@example.com: text}, session events as lines of their own,
 * the further lines of a multi-line body indented by four spaces) and a text/html alternative in which
 * every value is escaped: an HTML body is shown as its source text, never rendered. Both parts are
 * base64, so every byte of a body survives whatever a mail system does to line ends.
 *
 * <p>Streaming: rows arrive ordered by conversation; the transcript and the HTML of the conversation in
 * progress go to two {@link Spool}s (memory up to 1 MiB each, then a temporary file), and the message is
 * assembled around them when the conversation ends, its parts streamed from the spools. A conversation longer than {@code maxRecords} records or
 * {@code maxChars} characters of transcript continues in a "part 2" file, and so on, so one giant
 * conference makes several files of bounded size rather than one that nothing can open.
 */
final class EmlSink implements ExportSink {

    static final String EXTENSION = ".eml";
    static final String CONTINUATION = "    ";
    static final String DOMAIN = "archiver.export";
    private static final String CRLF = "\r\n";
    private static final DateTimeFormatter TRANSCRIPT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MAIL_DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);
    private static final Pattern DOT_ATOM = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");
    private static final Session SESSION = Session.getInstance(new Properties());

    private final OutputDir dir;
    private final int maxRecords;
    private final long maxChars;
    /** Text and HTML of the part in progress: in memory up to {@value #SPOOL_LIMIT} bytes each, then in a temporary file. */
    static final int SPOOL_LIMIT = 1024 * 1024;
    private final Spool textSpool;
    private final Spool htmlSpool;

    /** The conversation (part) in progress; null between conversations. */
    private Part part;

    private final class Part {
        final String conversationId;
        final int number;
        final ArchiveRecord first;
        final Set<String> participants = new LinkedHashSet<>();
        /**
         * Whether the conversation is a conference, as far as its records so far tell: the file is named
         * when the part ends, so a conference that opens with a session-start record is still named one.
         * A later part inherits it from the earlier ones.
         */
        boolean conference;
        final Writer text;
        final Writer html;
        Instant last;
        long records;
        long chars;

        Part(ArchiveRecord first, int number, boolean conference) throws IOException {
            this.conversationId = first.conversationId();
            this.number = number;
            this.first = first;
            this.conference = conference;
            this.text = writer(textSpool);
            this.html = writer(htmlSpool);
            String title = "IM conversation " + conversationId + (number > 1 ? " (part " + number + ")" : "");
            text.write(title);
            text.write(CRLF);
            text.write("Times are UTC." + CRLF + CRLF);
            html.write("<!DOCTYPE html>" + CRLF + "<html><head><meta charset=\"utf-8\"><title>");
            escape(title, html);
            html.write("</title><style>pre{white-space:pre-wrap;margin:0;font-family:inherit}td{vertical-align:top;padding:0 .5em}"
                    + "</style></head><body>" + CRLF + "<h1>");
            escape(title, html);
            html.write("</h1>" + CRLF + "<table class=\"transcript\">" + CRLF);
        }
    }

    EmlSink(OutputDir dir, int maxRecords, long maxChars) {
        this.dir = dir;
        this.maxRecords = maxRecords;
        this.maxChars = maxChars;
        this.textSpool = new Spool(dir.path().resolve(".transcript.txt.tmp"), SPOOL_LIMIT);
        this.htmlSpool = new Spool(dir.path().resolve(".transcript.html.tmp"), SPOOL_LIMIT);
    }

    @Override
    public String order() {
        return BY_CONVERSATION;
    }

    @Override
    public void write(ExportedRow row) throws IOException {
        ArchiveRecord r = row.record();
        if (part != null && !part.conversationId.equals(r.conversationId())) {
            close();
        } else if (part != null && (part.records >= maxRecords || part.chars >= maxChars)) {
            int next = part.number + 1;
            boolean conference = part.conference;
            close();
            part = new Part(r, next, conference);
        }
        if (part == null) {
            part = new Part(r, 1, false);
        }
        part.participants.add(r.from());
        part.participants.addAll(r.to());
        part.conference |= conference(r.kind()) || part.participants.size() > 2;
        part.last = r.sentAt();
        part.records++;
        part.chars += transcript(r, part.text) + html(r, part.html);
    }

    @Override
    public void finish() throws IOException {
        if (part != null) {
            close();
        }
        textSpool.reset();
        htmlSpool.reset();
    }

    @Override
    public void abandon() {
        if (part != null) {
            try {
                part.text.close();
                part.html.close();
            } catch (IOException ignored) {
                // deleting them next
            }
            part = null;
        }
        try {
            textSpool.reset();
            htmlSpool.reset();
        } catch (IOException ignored) {
            // hidden leftovers at worst
        }
    }

    /** The transcript line(s) of a record; returns the characters written. */
    static long transcript(ArchiveRecord r, Writer out) throws IOException {
        StringBuilder line = new StringBuilder(64 + (r.body() == null ? 0 : r.body().length()));
        line.append('[').append(TRANSCRIPT_TIME.format(r.sentAt())).append("] ").append(r.from());
        if (r.kind().carriesMessage()) {
            if (!ArchiveRecord.DEFAULT_CONTENT_TYPE.equals(r.contentType())) {
                line.append(" (").append(r.contentType()).append(')');
            }
        } else {
            line.append(' ').append(event(r.kind()));
        }
        if (r.body() != null) {
            line.append(": ");
            appendIndented(r.body(), line);
        }
        line.append(CRLF);
        out.append(line);
        return line.length();
    }

    /** What a session event says in the transcript. */
    static String event(Kind kind) {
        return switch (kind) {
            case SESSION_START -> "started the session";
            case SESSION_END -> "ended the session";
            case JOIN -> "joined";
            case LEAVE -> "left";
            default -> kind.wireName();
        };
    }

    /** The body with each line break (CRLF, CR or LF) as CRLF plus an indent. */
    private static void appendIndented(String body, StringBuilder out) {
        int n = body.length();
        for (int i = 0; i < n; i++) {
            char c = body.charAt(i);
            if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 < n && body.charAt(i + 1) == '\n') {
                    i++;
                }
                out.append(CRLF).append(CONTINUATION);
            } else {
                out.append(c);
            }
        }
    }

    /** One table row of the HTML alternative; returns the characters of the values written. */
    static long html(ArchiveRecord r, Writer out) throws IOException {
        out.write("<tr class=\"record\" data-id=\"");
        escape(r.id(), out);
        out.write("\" data-kind=\"");
        out.write(r.kind().wireName());
        out.write("\" data-content-type=\"");
        escape(r.contentType(), out);
        out.write("\" data-to=\"");
        long chars = 0;
        boolean firstRecipient = true;
        for (String to : r.to()) {
            if (!firstRecipient) {
                out.write(' ');
            }
            escape(to, out);
            chars += to.length() + 1;
            firstRecipient = false;
        }
        out.write("\"><td class=\"time\"><time datetime=\"");
        out.write(r.sentAt().toString());
        out.write("\">");
        out.write(TRANSCRIPT_TIME.format(r.sentAt()));
        out.write("</time></td><td class=\"from\">");
        escape(r.from(), out);
        out.write("</td><td class=\"body\">");
        if (!r.kind().carriesMessage()) {
            out.write("<em>");
            out.write(event(r.kind()));
            out.write("</em>");
        }
        if (r.body() != null) {
            out.write("<pre>");
            escape(r.body(), out);
            out.write("</pre>");
            chars += r.body().length();
        }
        out.write("</td></tr>" + CRLF);
        return chars + 200;
    }

    /** HTML-escapes text and attribute values alike: {@code & < > " '} and CR (so it survives line-end changes). */
    static void escape(String s, Writer out) throws IOException {
        int n = s.length();
        int start = 0;
        for (int i = 0; i < n; i++) {
            String entity = switch (s.charAt(i)) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                case '\r' -> "&#13;";
                default -> null;
            };
            if (entity != null) {
                out.write(s, start, i - start);
                out.write(entity);
                start = i + 1;
            }
        }
        out.write(s, start, n - start);
    }

    /** Assembles the message of the part in progress around its two files and writes it out. */
    private void close() throws IOException {
        Part p = part;
        part = null;
        p.text.close();
        p.html.write("</table>" + CRLF + "</body></html>" + CRLF);
        p.html.close();
        OutputDir.Open file = dir.open(fileName(p), EXTENSION);
        try {
            message(p).writeTo(file.out());
        } catch (MessagingException e) {
            throw new IOException("cannot write the message of conversation " + p.conversationId + ": " + e.getMessage(), e);
        }
        dir.complete(file, p.records);
        textSpool.reset();
        htmlSpool.reset();
    }

    /**
     * {@code 20261124T101530Z-p2p-3f2a9c01d4e5} or {@code ...-conf-...-part2}: the first record's UTC time,
     * the conversation's kind, a short id.
     */
    static String fileNameBase(ArchiveRecord first, boolean conference, int part) {
        return FILE_TIME.format(first.sentAt()) + "-" + (conference ? "conf" : "p2p") + "-"
                + shortId(first.conversationId()) + (part > 1 ? "-part" + part : "");
    }

    private static String fileName(Part p) {
        return fileNameBase(p.first, p.conference, p.number);
    }

    /**
     * A record kind that only a conference has. A conversation is a conference when any of its records is
     * of such a kind or it has more than two participants; the first record alone (often session-start)
     * does not tell.
     */
    static boolean conference(Kind kind) {
        return kind == Kind.CONFERENCE_MESSAGE || kind == Kind.JOIN || kind == Kind.LEAVE;
    }

    /** 12 hex digits of the SHA-256 of the conversation id: safe in any file system, stable across exports. */
    static String shortId(String conversationId) {
        return HexFormat.of().formatHex(HashingOutputStream.sha256().digest(conversationId.getBytes(StandardCharsets.UTF_8)), 0, 6);
    }

    /** {@code <HEX@archiver.export>} from the conversation, its part, and the times of its first and last records. */
    static String messageId(String conversationId, int part, Instant first, Instant last) {
        String key = conversationId + "\n" + part + "\n" + first + "\n" + last;
        byte[] hash = HashingOutputStream.sha256().digest(key.getBytes(StandardCharsets.UTF_8));
        return "<" + HexFormat.of().formatHex(hash, 0, 16) + "@" + DOMAIN + ">";
    }

    private MimeMessage message(Part p) throws MessagingException, IOException {
        String messageId = messageId(p.conversationId, p.number, p.first.sentAt(), p.last);
        MimeMessage message = new MimeMessage(SESSION) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        String sender = p.first.from();
        message.setFrom(address(sender));
        List<InternetAddress> others = new ArrayList<>(p.participants.size());
        for (String participant : p.participants) {
            if (!participant.equals(sender)) {
                others.add(address(participant));
            }
        }
        if (!others.isEmpty()) {
            message.setRecipients(Message.RecipientType.TO, others.toArray(new InternetAddress[0]));
        }
        message.setHeader("Date", MAIL_DATE.format(p.first.sentAt()));
        message.setSubject("IM conversation " + p.conversationId + (p.number > 1 ? " (part " + p.number + ")" : ""), "UTF-8");
        message.setHeader("X-Archiver-Conversation-Id", MimeUtility.fold(28, MimeUtility.encodeText(p.conversationId, "UTF-8", "B")));
        message.setHeader("X-Archiver-Records", Long.toString(p.records));
        message.setHeader("X-Archiver-Part", Integer.toString(p.number));
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(part(textSpool, "text/plain; charset=UTF-8"));
        alternative.addBodyPart(part(htmlSpool, "text/html; charset=UTF-8"));
        message.setContent(alternative);
        return message;
    }

    private static MimeBodyPart part(Spool spool, String contentType) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(spool.dataSource(contentType)));
        part.setHeader("Content-Type", contentType);
        part.setHeader("Content-Transfer-Encoding", "base64");
        return part;
    }

    /** A SIP URI as a mail address: display name the URI, address its user and domain (the user quoted when need be). */
    static InternetAddress address(String sipUri) {
        int at = sipUri.lastIndexOf('@');
        String user = sipUri.substring(4, at);
        String local = DOT_ATOM.matcher(user).matches() ? user
                : '"' + user.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        InternetAddress address = new InternetAddress();
        address.setAddress(local + "@" + sipUri.substring(at + 1));
        try {
            address.setPersonal(sipUri, "UTF-8");
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always there", e);
        }
        return address;
    }

    private static Writer writer(Spool spool) {
        return new BufferedWriter(new OutputStreamWriter(spool, StandardCharsets.UTF_8), 16 * 1024);
    }

}
