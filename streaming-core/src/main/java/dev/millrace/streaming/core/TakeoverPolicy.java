package dev.millrace.streaming.core;

/**
 * What happens when a publisher starts on a stream that already has one, typically an encoder reconnecting while
 * the server still holds its dead session.
 */
public enum TakeoverPolicy {
    /** The new publisher replaces the old one, whose connection is closed; viewers stay and continue. */
    TAKE_OVER,
    /** The new publisher is refused ({@code NetStream.Publish.BadName}). */
    REJECT
}
