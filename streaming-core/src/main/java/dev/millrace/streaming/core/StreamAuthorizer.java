package dev.millrace.streaming.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides who may publish and who may play. Called before any media of the request is buffered.
 *
 * <p>Both methods are asynchronous: return a completed stage for an in-memory check, or the stage of a call to
 * your own service (HTTP, database). They are called on a network thread and must not block it: do the slow work
 * elsewhere and complete the stage from there. A stage that fails or does not complete within the server's
 * authorization timeout denies the request.
 */
public interface StreamAuthorizer {

    /** Decides whether a client may publish. */
    CompletionStage<AuthDecision> authorizePublish(AuthRequest request);

    /** Decides whether a client may play. */
    CompletionStage<AuthDecision> authorizePlay(AuthRequest request);

    /** Allows every publish and play: for development only. */
    static StreamAuthorizer allowAll() {
        return AllowAll.INSTANCE;
    }

    /** See {@link #allowAll()}. */
    enum AllowAll implements StreamAuthorizer {
        INSTANCE;

        private static final CompletionStage<AuthDecision> ALLOW = CompletableFuture.completedFuture(AuthDecision.allow());

        @Override
        public CompletionStage<AuthDecision> authorizePublish(AuthRequest request) {
            return ALLOW;
        }

        @Override
        public CompletionStage<AuthDecision> authorizePlay(AuthRequest request) {
            return ALLOW;
        }
    }
}
