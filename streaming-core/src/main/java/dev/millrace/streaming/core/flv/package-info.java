/**
 * FLV: the container (file header, tags, back pointers) and the media tag bodies that RTMP audio and video messages
 * carry unchanged.
 *
 * <ul>
 *   <li>{@link dev.millrace.streaming.core.flv.FlvHeader}, {@link dev.millrace.streaming.core.flv.FlvTag},
 *       {@link dev.millrace.streaming.core.flv.FlvTagReader}, {@link dev.millrace.streaming.core.flv.FlvWriter}:
 *       Adobe Flash Video File Format Specification 10.1, Annex E.2-E.4.1.</li>
 *   <li>{@link dev.millrace.streaming.core.flv.FlvMediaParser} and
 *       {@link dev.millrace.streaming.core.flv.FlvMediaWriter}: the audio and video tag bodies of FLV 10.1
 *       (E.4.2, E.4.3) and of enhanced RTMP v1/v2 (veovera/enhanced-rtmp, "Enhanced Audio", "Enhanced Video"),
 *       to and from {@link dev.millrace.streaming.core.MediaPacket}.</li>
 * </ul>
 *
 * <p>Everything here is pure: {@code ByteBuf} in, {@code ByteBuf} or packets out, no channel, thread or clock. Every
 * class is stateless and thread-safe.
 */
package dev.millrace.streaming.core.flv;
