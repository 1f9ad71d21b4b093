package io.archiver.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ParticipantUriTest {

    @ParameterizedTest
    @CsvSource({
            "sip:alice@Example.COM, sip:alice@example.com",
            "xmpp:alice@lab.example, xmpp:alice@lab.example",
            "xmpp:Alice@Lab.Example, xmpp:Alice@lab.example",
            "XMPP:bob@lab.example, xmpp:bob@lab.example",
            "xmpp:room@conference.lab.example, xmpp:room@conference.lab.example",
            "xmpp:дима@lab.example, xmpp:дима@lab.example",
            "xmpp:a.b-c_d+e@lab.example, xmpp:a.b-c_d+e@lab.example"})
    void normalFormFoldsTheDomainOnly(String given, String stored) {
        assertThat(ParticipantUri.normalize(given)).contains(stored);
    }

    @ParameterizedTest
    @ValueSource(strings = {"xmpp:", "xmpp:lab.example", "xmpp:@lab.example", "xmpp:alice@lab.example/phone",
            "xmpp:al ice@lab.example", "xmpp:al'ice@lab.example", "xmpp:al:ice@lab.example", "xmpp:alice@lab..example",
            "xmpp:alice@-lab.example", "xmpp:alice@lab.example?message", "xmpp:a\u0001b@lab.example", "alice@lab.example",
            "tel:+4930123", "sip:alice"})
    void anythingElseIsRefused(String given) {
        assertThat(ParticipantUri.normalize(given)).as(given).isEmpty();
    }
}
