package dev.millrace.streaming.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A ready-made {@link StreamAuthorizer} for a fixed set of streams, each with its own publish key.
 *
 * <p>Publishing stream {@code alice} with key {@code K} works in either of the two forms encoders use:
 * {@code rtmp://host/app/alice?key=K} (stream name plus key parameter) or {@code rtmp://host/app/K} (the key as
 * stream name, as YouTube and Twitch do); both publish the public stream {@code alice}, which viewers play as
 * {@code rtmp://host/app/alice}. Keys are compared in constant time and never logged.
 *
 * <p>Play requests are allowed for every name unless {@link Builder#restrictPlayToKnownStreams()} is set. A play
 * request that names a key instead of a public name is refused, so a key cannot be probed through playback.
 */
public final class StaticKeyAuthorizer implements StreamAuthorizer {

    private final List<Map.Entry<String, String>> streams;
    private final boolean openPublish;
    private final boolean restrictPlay;

    private StaticKeyAuthorizer(Builder b) {
        this.streams = List.copyOf(new ArrayList<>(b.streams.entrySet()));
        this.openPublish = b.openPublish;
        this.restrictPlay = b.restrictPlay;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public CompletionStage<AuthDecision> authorizePublish(AuthRequest request) {
        return CompletableFuture.completedFuture(decidePublish(request.name(), request.queryParameter("key")));
    }

    private AuthDecision decidePublish(String name, String keyParameter) {
        // Check every entry, whatever matched before, so the time taken does not tell which entry matched.
        String byNameAndKey = null;
        String byKeyAsName = null;
        boolean nameKnown = false;
        for (Map.Entry<String, String> e : streams) {
            boolean isName = e.getKey().equals(name);
            nameKnown |= isName;
            if (isName & Secrets.constantTimeEquals(e.getValue(), keyParameter)) {
                byNameAndKey = e.getKey();
            }
            if (Secrets.constantTimeEquals(e.getValue(), name)) {
                byKeyAsName = e.getKey();
            }
        }
        if (byNameAndKey != null) {
            return AuthDecision.allow();
        }
        if (byKeyAsName != null) {
            return AuthDecision.allowAs(byKeyAsName);
        }
        if (openPublish && !nameKnown) {
            return AuthDecision.allow();
        }
        return AuthDecision.deny(nameKnown ? "wrong stream key" : "unknown stream key");
    }

    @Override
    public CompletionStage<AuthDecision> authorizePlay(AuthRequest request) {
        String name = request.name();
        boolean known = false;
        boolean isKey = false;
        for (Map.Entry<String, String> e : streams) {
            known |= e.getKey().equals(name);
            isKey |= Secrets.constantTimeEquals(e.getValue(), name);
        }
        AuthDecision d;
        if (isKey && !known) {
            d = AuthDecision.deny("play by stream name, not by key");
        } else if (restrictPlay && !known) {
            d = AuthDecision.deny("no such stream");
        } else {
            d = AuthDecision.allow();
        }
        return CompletableFuture.completedFuture(d);
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, String> e : streams) {
            names.add(e.getKey());
        }
        return "StaticKeyAuthorizer(streams=" + names + (openPublish ? ", open" : "") + ")";
    }

    /** Builds a {@link StaticKeyAuthorizer}. */
    public static final class Builder {
        private final Map<String, String> streams = new LinkedHashMap<>();
        private boolean openPublish;
        private boolean restrictPlay;

        private Builder() {
        }

        /** Stream {@code name} may be published with {@code key} (and only with it). */
        public Builder stream(String name, String key) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(key, "key");
            if (key.isEmpty()) {
                throw new IllegalArgumentException("empty key for stream " + name);
            }
            if (streams.putIfAbsent(name, key) != null) {
                throw new IllegalArgumentException("stream listed twice: " + name);
            }
            return this;
        }

        /** Names not listed may be published without a key (listed ones still need theirs). */
        public Builder openPublish() {
            this.openPublish = true;
            return this;
        }

        /** Only listed stream names may be played. */
        public Builder restrictPlayToKnownStreams() {
            this.restrictPlay = true;
            return this;
        }

        public StaticKeyAuthorizer build() {
            for (Map.Entry<String, String> a : streams.entrySet()) {
                for (Map.Entry<String, String> b : streams.entrySet()) {
                    if (a.getValue().equals(b.getKey())) {
                        throw new IllegalArgumentException("a key must not be another stream's name");
                    }
                    if (a != b && a.getValue().equals(b.getValue())) {
                        throw new IllegalArgumentException("two streams share one key: " + a.getKey() + ", "
                                + b.getKey());
                    }
                }
            }
            return new StaticKeyAuthorizer(this);
        }
    }
}
