package dev.millrace.streaming.examples;

import dev.millrace.streaming.core.AuthDecision;
import dev.millrace.streaming.core.AuthRequest;
import dev.millrace.streaming.core.StaticKeyAuthorizer;
import dev.millrace.streaming.core.StreamAuthorizer;
import dev.millrace.streaming.core.StreamInfo;
import dev.millrace.streaming.core.StreamListener;
import dev.millrace.streaming.rtmp.RtmpServer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The embedding examples shown in README.md. The README quotes the tagged regions of this file verbatim (a test
 * checks it), so the README's code always compiles.
 */
public final class EmbeddingExample {

    private EmbeddingExample() {
    }

    public static void main(String[] args) throws Exception {
        String aliceKey = args.length > 0 ? args[0] : "change-me";
        // tag::embed[]
        StreamAuthorizer keys = StaticKeyAuthorizer.builder()
                .stream("alice", aliceKey)   // OBS: server rtmp://host/live, stream key = aliceKey
                .build();                    // viewers: rtmp://host/live/alice

        try (RtmpServer server = RtmpServer.builder()
                .port(1935)
                .authorizer(keys)
                .listener(new StreamListener() {
                    @Override
                    public void onPublishStart(StreamInfo stream) {
                        System.out.println("live: " + stream.path() + " from " + stream.publisher());
                    }
                })
                .start()) {
            server.closeFuture().join();
        }
        // end::embed[]
    }

    // tag::authorizer[]
    /** Looks keys up in your own store, off the network thread; a key maps to the channel viewers watch. */
    static final class ChannelAuthorizer implements StreamAuthorizer {
        private final Map<String, String> channelByKey;   // stands in for your database
        private final Executor database;

        ChannelAuthorizer(Map<String, String> channelByKey, Executor database) {
            this.channelByKey = channelByKey;
            this.database = database;
        }

        @Override
        public CompletionStage<AuthDecision> authorizePublish(AuthRequest request) {
            String key = request.queryParameter("key") != null ? request.queryParameter("key") : request.name();
            return CompletableFuture.supplyAsync(() -> channelByKey.get(key), database)
                    .thenApply(channel -> channel == null
                            ? AuthDecision.deny("unknown stream key")
                            : AuthDecision.allowAs(channel));   // viewers play live/<channel>, never live/<key>
        }

        @Override
        public CompletionStage<AuthDecision> authorizePlay(AuthRequest request) {
            return CompletableFuture.completedFuture(AuthDecision.allow());
        }
    }
    // end::authorizer[]
}
