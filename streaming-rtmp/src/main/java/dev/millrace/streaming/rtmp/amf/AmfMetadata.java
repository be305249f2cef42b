package dev.millrace.streaming.rtmp.amf;

import java.util.Map;

/** Metadata ({@code onMetaData}) helpers. */
public final class AmfMetadata {

    private AmfMetadata() {
    }

    /**
     * Returns a copy of a publisher's metadata that every player can parse. FFmpeg's reader knows only numbers,
     * booleans, strings, null, objects, ECMA and strict arrays ({@code ff_amf_tag_size} in FFmpeg's rtmppkt.c) and
     * fails the whole metadata message on anything else; it also ends an object at the first empty property name.
     * So the copy keeps only:
     * <ul>
     *   <li>numbers (any {@link Number}, as a Double), booleans and strings;</li>
     *   <li>objects: {@link AmfEcmaArray} stays an ECMA array; {@link AmfObject} and any other {@link Map} become
     *       an {@link AmfObject}; each sanitized the same way (entries whose key is not a String are dropped);</li>
     * </ul>
     * and drops entries with an empty or null name and values that are null, undefined, unsupported, dates, typed
     * objects, XML, arrays (lists), byte arrays, or nested deeper than {@value Amf0Reader#MAX_DEPTH_CEILING}. In
     * particular {@code videocodecid} and {@code audiocodecid}, from which FFmpeg sets its has-video and has-audio
     * flags, are kept whenever they are a number or a string (legacy ids or enhanced-RTMP FourCCs).
     *
     * @param metadata the metadata as decoded (its top-level object or ECMA array); not modified
     * @return a new ECMA array, in the order of {@code metadata}
     */
    public static AmfEcmaArray sanitizeForPlayers(Map<String, ?> metadata) {
        return sanitize(metadata, new AmfEcmaArray(), 1);
    }

    private static <T extends AmfObject> T sanitize(Map<?, ?> source, T target, int depth) {
        for (Map.Entry<?, ?> e : source.entrySet()) {
            if (!(e.getKey() instanceof String key) || key.isEmpty()) {
                continue;
            }
            Object value = sanitizeValue(e.getValue(), depth);
            if (value != null) {
                target.put(key, value);
            }
        }
        return target;
    }

    /** The player-safe form of {@code value}, or null to drop it. */
    private static Object sanitizeValue(Object value, int depth) {
        if (value instanceof Double || value instanceof Boolean || value instanceof String) {
            return value;
        }
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof Map<?, ?> map) {
            if (depth >= Amf0Reader.MAX_DEPTH_CEILING) {
                return null;
            }
            return value instanceof AmfEcmaArray
                    ? sanitize(map, new AmfEcmaArray(), depth + 1)
                    : sanitize(map, new AmfObject(), depth + 1);
        }
        return null;
    }
}
