package dev.millrace.streaming.core;

import java.util.Map;

/**
 * What a client asks to do, handed to the {@link StreamAuthorizer}.
 *
 * <p>{@code name} and {@code query} are what the client sent and may hold a secret stream key
 * ({@code rtmp://host/live/KEY} or {@code live/alice?key=KEY}). {@link #toString()} never shows them in full;
 * neither must an authorizer's logs.
 *
 * @param action publish or play
 * @param app the application, without query
 * @param name the stream name as sent, without query
 * @param query the parameters of the stream name's query string and of the app's, decoded (stream name wins)
 * @param connection the client
 */
public record AuthRequest(Action action, String app, String name, Map<String, String> query,
        ConnectionInfo connection) {

    public AuthRequest {
        query = Map.copyOf(query);
    }

    /** What is being authorized. */
    public enum Action {
        PUBLISH,
        PLAY
    }

    /** The query parameter {@code key}, if present. */
    public String queryParameter(String key) {
        return query.get(key);
    }

    @Override
    public String toString() {
        return "AuthRequest(" + action + " " + app + "/" + Secrets.redact(name) + " params=" + query.keySet() + " from "
                + connection + ")";
    }
}
