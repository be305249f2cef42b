package dev.millrace.streaming.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StaticKeyAuthorizerTest {

    private final StaticKeyAuthorizer keys = StaticKeyAuthorizer.builder().stream("alice", "k-alice-0123456789")
            .stream("bob", "k-bob-0123456789").build();

    private static AuthRequest publish(String name, Map<String, String> query) {
        return new AuthRequest(AuthRequest.Action.PUBLISH, "live", name, query, null);
    }

    private static AuthDecision decide(java.util.concurrent.CompletionStage<AuthDecision> s) {
        return s.toCompletableFuture().join();
    }

    @Test
    void publishingByNameAndKeyParameterKeepsTheName() {
        AuthDecision d = decide(keys.authorizePublish(publish("alice", Map.of("key", "k-alice-0123456789"))));
        assertThat(d.isAllowed()).isTrue();
        assertThat(d.publicName()).isNull();
    }

    @Test
    void publishingWithTheKeyAsNameMapsToThePublicName() {
        AuthDecision d = decide(keys.authorizePublish(publish("k-bob-0123456789", Map.of())));
        assertThat(d.isAllowed()).isTrue();
        assertThat(d.publicName()).isEqualTo("bob");
    }

    @Test
    void wrongOrMissingKeysAreDenied() {
        assertThat(decide(keys.authorizePublish(publish("alice", Map.of("key", "k-bob-0123456789")))).isAllowed())
                .isFalse();
        assertThat(decide(keys.authorizePublish(publish("alice", Map.of()))).isAllowed()).isFalse();
        assertThat(decide(keys.authorizePublish(publish("nobody", Map.of()))).reason()).isEqualTo("unknown stream key");
    }

    @Test
    void openPublishAdmitsUnlistedNamesOnly() {
        StaticKeyAuthorizer open = StaticKeyAuthorizer.builder().stream("alice", "k-alice-0123456789").openPublish()
                .build();
        assertThat(decide(open.authorizePublish(publish("test", Map.of()))).isAllowed()).isTrue();
        assertThat(decide(open.authorizePublish(publish("alice", Map.of()))).isAllowed()).isFalse();
    }

    @Test
    void playingAKeyIsRefusedAndPlayingANameIsAllowed() {
        AuthRequest byKey = new AuthRequest(AuthRequest.Action.PLAY, "live", "k-alice-0123456789", Map.of(), null);
        AuthRequest byName = new AuthRequest(AuthRequest.Action.PLAY, "live", "alice", Map.of(), null);
        assertThat(decide(keys.authorizePlay(byKey)).isAllowed()).isFalse();
        assertThat(decide(keys.authorizePlay(byName)).isAllowed()).isTrue();
    }

    @Test
    void requestsNeverPrintTheKey() {
        assertThat(publish("k-alice-0123456789", Map.of("key", "k-alice-0123456789")).toString())
                .doesNotContain("k-alice-0123456789").doesNotContain("0123456789");
        assertThat(keys.toString()).doesNotContain("0123456789");
    }

    @Test
    void sharedKeysAreRejectedAtBuildTime() {
        assertThatThrownBy(() -> StaticKeyAuthorizer.builder().stream("a", "same-key").stream("b", "same-key").build())
                .isInstanceOf(IllegalArgumentException.class);
    }
}
