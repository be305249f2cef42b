package dev.millrace.streaming.core;

import java.util.Objects;

/**
 * An authorizer's answer: allow, allow under another public stream name, or deny with a reason the client sees.
 */
public final class AuthDecision {

    private static final AuthDecision ALLOW = new AuthDecision(true, null, null);

    private final boolean allowed;
    private final String publicName;
    private final String reason;

    private AuthDecision(boolean allowed, String publicName, String reason) {
        this.allowed = allowed;
        this.publicName = publicName;
        this.reason = reason;
    }

    /** Allow under the name the client asked for. */
    public static AuthDecision allow() {
        return ALLOW;
    }

    /**
     * Allow, but register the stream under {@code publicName}: a publisher that streams to {@code live/<secret key>}
     * is watched at {@code live/alice}, so the key never appears in playback URLs. For play requests it selects
     * which stream the viewer gets.
     */
    public static AuthDecision allowAs(String publicName) {
        return new AuthDecision(true, Objects.requireNonNull(publicName, "publicName"), null);
    }

    /** Deny; {@code reason} is sent to the client and logged, so it must not contain secrets. */
    public static AuthDecision deny(String reason) {
        return new AuthDecision(false, null, Objects.requireNonNull(reason, "reason"));
    }

    public boolean isAllowed() {
        return allowed;
    }

    /** The name to use instead of the requested one, or {@code null} to keep it. */
    public String publicName() {
        return publicName;
    }

    /** Why the request was denied, or {@code null} when allowed. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return allowed ? (publicName == null ? "allow" : "allowAs(" + publicName + ")") : "deny(" + reason + ")";
    }
}
